import { endOutputText, readTurnAnswer } from "@/lib/chat/turn-answer";
import { chatNodesOf } from "@/lib/chat/tree-order";
import type { Graph } from "@/lib/engine/graph";

/**
 * The answer text of a succeeded run called through the OpenAI endpoint or as an MCP tool: the
 * chat's rule (lib/chat/turn-answer.ts), so a chat app answers any OpenAI or MCP client as it
 * answers in the chat: its Answer nodes' texts (sub-workflow runs' included, in the order they
 * spoke), or the End output's answer text (endOutputText) when no Answer node spoke. A workflow
 * without Answer and Sub-workflow nodes reads nothing more than its End output.
 */
export function runAnswer(graph: Pick<Graph, "nodes">, runId: string, output: unknown): Promise<string> {
  return readTurnAnswer(runId, chatNodesOf(graph.nodes), () => endOutputText(output));
}
