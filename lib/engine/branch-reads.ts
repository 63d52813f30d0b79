/**
 * Reads of a node that may have been skipped. A node runs once any inbound edge is active
 * (scheduler.ts), so a join after if/else runs on either branch; a node that reads the output of
 * a node on only one of those branches then reads nothing when the other branch is taken. This
 * finds such reads statically: for each branch a node can take (each output handle, its error
 * branch included), it marks what may still run when that branch is taken, counting every other
 * branching node as able to take any of its branches. A read of R by N is reported when, for some
 * branch taken, R cannot run but N still can. Pure and linear per branch, for the live validator.
 */

export interface BranchGraph {
  /** The nodes analysed (top-level, executable) and the ids of their output handles. */
  handles: ReadonlyMap<string, readonly string[]>;
  edges: readonly { source: string; target: string; handle: string }[];
  labelOf: (nodeId: string, handle: string) => string;
}

/** `nodeId` reads `root`'s output (shown as written, e.g. `{{ llm.text }}`). */
export interface BranchRead {
  nodeId: string;
  root: string;
  shown: string;
}

export interface BranchOnlyRead extends BranchRead {
  /** A branch which, when taken, skips `root` while `nodeId` still runs. */
  taking: { nodeId: string; handle: string; label: string };
}

/** Nodes that may run when `branching` takes `handle`; every other node may take any branch. */
function mayRunWhen(graph: BranchGraph, inbound: ReadonlyMap<string, number>, outbound: ReadonlyMap<string, BranchGraph["edges"][number][]>, branching: string, handle: string): Set<string> {
  const running = new Set<string>();
  const queue: string[] = [];
  for (const id of graph.handles.keys()) {
    if ((inbound.get(id) ?? 0) === 0) (running.add(id), queue.push(id));
  }
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const edge of outbound.get(id) ?? []) {
      if (id === branching && edge.handle !== handle) continue;
      if (!running.has(edge.target)) (running.add(edge.target), queue.push(edge.target));
    }
  }
  return running;
}

export function branchOnlyReads(graph: BranchGraph, reads: readonly BranchRead[]): BranchOnlyRead[] {
  const relevant = reads.filter((r) => graph.handles.has(r.nodeId) && graph.handles.has(r.root));
  if (relevant.length === 0) return [];
  const inbound = new Map<string, number>();
  const outbound = new Map<string, BranchGraph["edges"][number][]>();
  for (const edge of graph.edges) {
    inbound.set(edge.target, (inbound.get(edge.target) ?? 0) + 1);
    if (!outbound.has(edge.source)) outbound.set(edge.source, []);
    outbound.get(edge.source)!.push(edge);
  }
  const found = new Map<BranchRead, BranchOnlyRead>();
  for (const [nodeId, handles] of graph.handles) {
    // Only a node whose edges leave from two or more handles decides between branches.
    const used = new Set((outbound.get(nodeId) ?? []).map((e) => e.handle));
    if (handles.length < 2 || used.size < 2) continue;
    for (const handle of used) {
      const running = mayRunWhen(graph, inbound, outbound, nodeId, handle);
      for (const read of relevant) {
        if (found.has(read) || running.has(read.root) || !running.has(read.nodeId)) continue;
        found.set(read, { ...read, taking: { nodeId, handle, label: graph.labelOf(nodeId, handle) } });
      }
    }
  }
  return relevant.filter((r) => found.has(r)).map((r) => found.get(r)!);
}
