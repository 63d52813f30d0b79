import { templateReferences } from "@/lib/engine/template";
import { AnswerConfigSchema, answerNode } from "@/lib/nodes/answer/definition";
import { EndConfigSchema, endNode } from "@/lib/nodes/end/definition";

/**
 * A chat turn's run and its sub-workflow runs (children, at any depth) as one conversation: the
 * chat shows the Answer texts of all of them, in the order they spoke. Pure helpers shared by the
 * turn's stream (stream.ts) and the stored answer (finish-turn.ts).
 */

export interface TreeStepRef {
  runId: string;
  nodeId: string;
  iteration: number;
}

/**
 * The id the chat knows a node by: the turn's own nodes by their id, a sub-workflow run's nodes
 * prefixed with that run's id (`<runId>/<nodeId>`), so a child's `reply` never passes for the
 * parent's `reply`.
 */
export const chatNodeKey = (turnRunId: string, runId: string, nodeId: string): string => (runId === turnRunId ? nodeId : `${runId}/${nodeId}`);

/** A step's identity across the tree. */
export const treeStepKey = (step: TreeStepRef): string => `${step.runId}:${step.nodeId}:${step.iteration}`;

/** When a step of the tree ended (null: still going) and started, in epoch milliseconds. */
export interface TimedStep {
  finishedAt: number | null;
  startedAt: number;
}

/**
 * The steps of a turn's tree in the order they spoke: by when they ended, steps still going last
 * (by start). An Answer speaks as it ends, so this is the order in which the chat's stream told
 * the Answer texts of the run and of its sub-workflow runs as they happened, parallel branches
 * and loop items included; a child's texts fall where its Sub-workflow step was running. The
 * stored answer (turn-steps.ts, by the same order in SQL) and a stream that starts from a
 * snapshot (turn-text.ts) use it, so neither reorders what was streamed.
 */
export function inSpeakingOrder<S extends TimedStep>(steps: readonly S[]): S[] {
  const ended = (step: S) => step.finishedAt ?? Number.POSITIVE_INFINITY;
  return [...steps].sort((a, b) => ended(a) - ended(b) || a.startedAt - b.startedAt);
}

/** The nodes of a run's graph whose events the chat reads: Answer nodes speak, Sub-workflow nodes start child runs. */
export interface ChatNodes {
  answers: string[];
  subworkflows: string[];
  /**
   * Nodes whose streamed text the chat previews while it is written: those whose output the
   * chat's answer shows (referenced by an Answer's text; in a run without Answers, by the End's
   * outputs, which are then the answer). A model that classifies or extracts for later steps
   * streams nothing to the chat, as in Dify.
   */
  previews: string[];
}

type GraphNodeLike = { id: string; type: string; data?: unknown };

/** The templates that make the chat's answer: the Answers' texts, or the End's outputs when there is no Answer. */
function answerTemplates(nodes: readonly GraphNodeLike[]): string[] {
  const answers = nodes.filter((n) => n.type === "answer").map((n) => AnswerConfigSchema.safeParse(n.data));
  if (answers.length > 0) return answers.flatMap((parsed) => (parsed.success ? answerNode.templates(parsed.data) : []));
  return nodes.filter((n) => n.type === "end").flatMap((n) => {
    const parsed = EndConfigSchema.safeParse(n.data);
    return parsed.success ? endNode.templates(parsed.data) : [];
  });
}

export function chatNodesOf(nodes: readonly GraphNodeLike[]): ChatNodes {
  const shown = new Set(answerTemplates(nodes).flatMap((template) => templateReferences(template).map((path) => path[0]!)));
  return {
    answers: nodes.filter((n) => n.type === "answer").map((n) => n.id),
    subworkflows: nodes.filter((n) => n.type === "subworkflow").map((n) => n.id),
    previews: nodes.filter((n) => n.type !== "answer" && shown.has(n.id)).map((n) => n.id),
  };
}
