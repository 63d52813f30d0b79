import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { answerFeeds, answerStreamSources, chatInputs, type AnswerFeed } from "@/lib/channels/chat-io";
import { chatNodesOf, type ChatNodes } from "@/lib/chat/tree-order";
import type { Graph } from "@/lib/engine/graph";
import { findPublishedBySlug, startVersionRun } from "../workflows";
import { openAiError } from "./errors";
import { messageText, parseModel, type ChatCompletionRequest } from "./schemas";

export interface ChatRunPlan {
  workflowId: string;
  graph: Graph;
  /** `endView`: the caller waits for the run's end with its view (lib/api/wait.ts). */
  start: (runId?: string, options?: { endView?: boolean }) => Promise<{ runId: string }>;
  /** Nodes whose tokens are the answer (lib/channels/chat-io.ts); none where Answer nodes speak. */
  sources: Set<string>;
  /** LLM nodes whose tokens open an Answer's text (lib/channels/chat-io.ts), streamed as that Answer. */
  feeds: Map<string, AnswerFeed>;
  /** The Answer and Sub-workflow nodes: where they are, the answer is the Answer nodes' texts (lib/channels/run-answer.ts). */
  nodes: ChatNodes;
}

export const modelNotFound = (model: string) =>
  openAiError(404, `The model \`${model}\` does not exist: it is not the slug of a published workflow in this workspace.`, "model_not_found", "model");

/**
 * Resolves `model` to a published version of the caller's workspace and maps the messages onto its
 * Start inputs; an OpenAI-shaped error response when either fails. Nothing is started yet.
 */
export async function planChatRun(caller: ApiCaller, body: ChatCompletionRequest): Promise<ChatRunPlan | Response> {
  const model = parseModel(body.model);
  const found = model ? await findPublishedBySlug(caller.workspaceId, model.slug, model.version) : null;
  if (!model || !found) return modelNotFound(body.model);
  const mapped = chatInputs(
    found.graph,
    body.messages.map((m) => ({ role: m.role, content: messageText(m) })),
  );
  if (!mapped.ok) return openAiError(400, mapped.message, "invalid_messages", "messages");
  return {
    workflowId: found.workflowId,
    graph: found.graph,
    sources: answerStreamSources(found.graph),
    feeds: answerFeeds(found.graph),
    nodes: chatNodesOf(found.graph.nodes),
    start: (runId, options) => startVersionRun(caller, found, mapped.inputs, model.version, { runId, trigger: "openai", endView: options?.endView }),
  };
}

export const completionId = (runId: string) => `chatcmpl-${runId}`;
export const unixSeconds = (at: Date | string = new Date()) => Math.floor(new Date(at).getTime() / 1000);
