/**
 * A chat turn's run and its sub-workflow runs (children, at any depth) as one conversation: the
 * chat shows the Answer texts of all of them, in the order they ran. Pure helpers shared by the
 * turn's stream (stream.ts) and the stored answer (finish-turn.ts).
 */

/** A run of the tree: which step of which run started it (null for the turn's own run). */
export interface TreeRunLink {
  id: string;
  parentRunId: string | null;
  parentNodeId: string | null;
  parentIteration: number | null;
}

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

/**
 * The steps of the tree under `rootId` in run order: each run's steps in the order given (the
 * caller sorts them by start or finish), each child run's steps right after the step that
 * started it, recursively. A child whose starting step is not among the steps (it was not
 * selected) follows the rest of its parent's steps; runs outside the tree are left out.
 */
export function inRunOrder<S extends TreeStepRef>(rootId: string, runs: readonly TreeRunLink[], steps: readonly S[]): S[] {
  const stepsOf = new Map<string, S[]>();
  for (const step of steps) {
    const list = stepsOf.get(step.runId) ?? [];
    list.push(step);
    stepsOf.set(step.runId, list);
  }
  const childrenOf = new Map<string, TreeRunLink[]>();
  for (const run of runs) {
    if (!run.parentRunId || run.id === rootId) continue;
    const list = childrenOf.get(run.parentRunId) ?? [];
    list.push(run);
    childrenOf.set(run.parentRunId, list);
  }
  const ordered: S[] = [];
  const visited = new Set<string>();
  const walk = (runId: string) => {
    if (visited.has(runId)) return;
    visited.add(runId);
    const children = childrenOf.get(runId) ?? [];
    for (const step of stepsOf.get(runId) ?? []) {
      ordered.push(step);
      for (const child of children) if (child.parentNodeId === step.nodeId && (child.parentIteration ?? 0) === step.iteration) walk(child.id);
    }
    for (const child of children) walk(child.id);
  };
  walk(rootId);
  return ordered;
}

/** The nodes of a run's graph whose events the chat reads: Answer nodes speak, Sub-workflow nodes start child runs. */
export interface ChatNodes {
  answers: string[];
  subworkflows: string[];
}

export function chatNodesOf(nodes: readonly { id: string; type: string }[]): ChatNodes {
  return { answers: nodes.filter((n) => n.type === "answer").map((n) => n.id), subworkflows: nodes.filter((n) => n.type === "subworkflow").map((n) => n.id) };
}
