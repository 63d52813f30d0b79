import { chatNodesOf } from "@/lib/chat/tree-order";
import { pickAnswerField } from "@/lib/chat/turn-answer";
import { DEFAULT_HANDLE, edgeHandle, type Graph } from "@/lib/engine/graph";
import { reach, topology } from "@/lib/engine/graph-walk";
import { declaredInputs } from "@/lib/engine/inputs";
import { readNodeSettings } from "@/lib/engine/policy";
import { nodeRegistry } from "@/lib/nodes/registry";

/**
 * How a chat turn (OpenAI-style messages) maps onto a workflow's Start inputs, and how the End
 * output maps back to one answer text. Shared by the OpenAI-compatible endpoint; documented in
 * docs/channels.md.
 *
 * In:  the last `user` message → the Start input named `message` if declared, else the first
 *      declared `string` input. The messages before it → the Start input `history` if declared:
 *      an array input gets `[{ role, content }]`, a string input gets "role: content" lines.
 *      Other inputs are not filled (a required one makes the call a 400).
 * Out: the chat's answer (run-answer.ts): the Answer nodes' texts when any spoke, else the End
 *      output field `answer`, else `text`, else the only output field; any other output object is
 *      returned as JSON text (endOutputText, lib/chat/turn-answer.ts).
 */

export interface ChatTurnMessage {
  role: string;
  content: string;
}

export type ChatInputs = { ok: true; inputs: Record<string, unknown> } | { ok: false; message: string };

export function chatInputs(graph: Graph, messages: ChatTurnMessage[]): ChatInputs {
  const declared = declaredInputs(graph, nodeRegistry) ?? [];
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  if (lastUser < 0) return { ok: false, message: "messages must contain at least one message with role \"user\"." };
  const target = declared.find((d) => d.name === "message" && d.type === "string") ?? declared.find((d) => d.type === "string" && d.name !== "history");
  if (!target) return { ok: false, message: "This workflow's Start node declares no text input to put the user's message in." };
  const inputs: Record<string, unknown> = { [target.name]: messages[lastUser]!.content };
  const history = declared.find((d) => d.name === "history" && d.name !== target.name);
  const earlier = messages.slice(0, lastUser).map((m) => ({ role: m.role, content: m.content }));
  if (history?.type === "array") inputs.history = earlier;
  else if (history?.type === "string") inputs.history = earlier.map((m) => `${m.role}: ${m.content}`).join("\n");
  return { ok: true, inputs };
}

interface EndOutput {
  name: string;
  value: string;
}

function endOutputs(graph: Graph): EndOutput[][] {
  return graph.nodes
    .filter((n) => nodeRegistry[n.type]?.role === "end")
    .map((n) => {
      const outputs = (n.data as { outputs?: unknown }).outputs;
      return Array.isArray(outputs) ? outputs.filter((o): o is EndOutput => typeof o?.name === "string" && typeof o?.value === "string") : [];
    });
}

const BARE_TEXT_REFERENCE = /^\s*\{\{\s*([A-Za-z0-9_-]+)\.text\s*\}\}\s*$/;

/**
 * The nodes whose streamed tokens *are* the answer: an End node whose answer field is exactly
 * `{{ node.text }}`. Only their `delta` events are sent live; anything else (a template around the
 * text, an intermediate LLM) would stream words the answer does not contain. None where Answer
 * nodes may speak (the run's own, or a sub-workflow's): then the answer is their texts, not the End's.
 */
export function answerStreamSources(graph: Graph): Set<string> {
  const sources = new Set<string>();
  const nodes = chatNodesOf(graph.nodes);
  if (nodes.answers.length > 0 || nodes.subworkflows.length > 0) return sources;
  for (const outputs of endOutputs(graph)) {
    const field = pickAnswerField(outputs, (o) => o.name);
    const match = field ? BARE_TEXT_REFERENCE.exec(field.value) : null;
    if (match) sources.add(match[1]!);
  }
  return sources;
}

/** An Answer node whose text opens with an LLM's text, after a fixed leading text (`prefix`). */
export interface AnswerFeed {
  answer: string;
  prefix: string;
}

/** An Answer template's fixed leading text and the node whose `text` follows it: `Sure: {{ llm.text }}…`. */
const LEADING_TEXT_REFERENCE = /^((?:(?!\{[{%])[\s\S])*)\{\{\s*([a-z][a-z0-9_]*)\.text\s*\}\}/;

/**
 * The LLM nodes of the graph whose tokens are the beginning of an Answer's text, so they can be
 * streamed as that Answer before it runs: the Answer's template is fixed text then `{{ llm.text }}`
 * (anything may follow), and the LLM is the Answer's only predecessor, at the top level, so the
 * Answer runs right after it whenever it succeeds. Only LLM nodes: their tokens add up to their
 * `text` (an Agent's also tell tool progress and earlier turns). And nothing else can speak while
 * the LLM writes: every other speaker (Answer, Sub-workflow, a Loop with either in its body) runs
 * before the LLM or after the Answer, never on a parallel branch, so the streamed text is the
 * next piece of the answer in the order the answer is stored (lib/chat/tree-order.ts). The LLM
 * neither retries nor goes on after a failure (its settings), so its tokens are written once.
 */
export function answerFeeds(graph: Pick<Graph, "nodes" | "edges">): Map<string, AnswerFeed> {
  const top = graph.nodes.filter((n) => !n.parentId && !n.disabled);
  const { out, into } = topology(new Set(top.map((n) => n.id)), graph.edges);
  const speakers = speakingNodes(graph, top);
  const feeds = new Map<string, AnswerFeed>();
  const ambiguous = new Set<string>();
  for (const answer of top) {
    if (answer.type !== "answer") continue;
    const match = LEADING_TEXT_REFERENCE.exec(String((answer.data as { text?: unknown }).text ?? ""));
    const source = match ? top.find((n) => n.id === match[2]) : undefined;
    const incoming = graph.edges.filter((e) => e.target === answer.id);
    if (source?.type !== "llm" || !failsOnce(source) || incoming.length !== 1 || incoming[0]!.source !== source.id || edgeHandle(incoming[0]!) !== DEFAULT_HANDLE) continue;
    const before = reach([source.id], into);
    const after = reach([answer.id], out);
    if (speakers.some((id) => id !== answer.id && !before.has(id) && !after.has(id))) continue;
    if (feeds.has(source.id)) ambiguous.add(source.id);
    feeds.set(source.id, { answer: answer.id, prefix: match![1]! });
  }
  for (const id of ambiguous) feeds.delete(id);
  return feeds;
}

/**
 * Whether the node's tokens can only ever be the start of its one output: no retry (a second
 * attempt would write its text again) and no "continue" or error branch on failure (the Answer
 * would then say a default, or not run).
 */
function failsOnce(node: Graph["nodes"][number]): boolean {
  const def = nodeRegistry[node.type];
  const read = def ? readNodeSettings(def, node.data) : null;
  return read?.ok === true && read.settings.onError === "fail" && (read.settings.retry?.maxAttempts ?? 1) === 1;
}

/** The top-level nodes that may speak in the chat: Answers, Sub-workflows, and containers with either in their body. */
function speakingNodes(graph: Pick<Graph, "nodes">, top: Graph["nodes"]): string[] {
  const speaks = (type: string) => type === "answer" || type === "subworkflow";
  const containerOf = new Map(graph.nodes.map((n) => [n.id, n.parentId]));
  const speakingContainers = new Set<string>();
  for (const node of graph.nodes) {
    if (!speaks(node.type) || node.disabled) continue;
    for (let parent = node.parentId; parent; parent = containerOf.get(parent)) speakingContainers.add(parent);
  }
  return top.filter((n) => speaks(n.type) || speakingContainers.has(n.id)).map((n) => n.id);
}
