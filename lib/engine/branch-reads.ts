/**
 * Reads of a node that may have been skipped. A node runs once any inbound edge is active
 * (scheduler.ts), so a join after if/else runs on either branch; a node that reads the output of
 * a node on only one of those branches then reads nothing when the other branch is taken. This
 * finds such reads statically: for each branch a node can take (each output handle, its error
 * branch included), it marks what may still run when that branch is taken, counting every other
 * branching node as able to take any of its branches. A read of R by N is reported when, for some
 * branch taken, R cannot run but N still can.
 *
 * The editor runs this live on graphs of thousands of nodes, so each branch costs only what it
 * cuts off (BranchWalk.cutOff), not a search of the whole graph; a graph with a cycle (reported
 * on its own) falls back to that search.
 */

export interface BranchGraph {
  /** The nodes analysed (top-level, executable) and the ids of their output handles. */
  handles: ReadonlyMap<string, readonly string[]>;
  edges: readonly { source: string; target: string; handle: string }[];
  labelOf: (nodeId: string, handle: string) => string;
}

/** `nodeId` reads `root`'s output (shown as written, e.g. `{{ llm.text }}`); `field`: the output field read, when one is. */
export interface BranchRead {
  nodeId: string;
  root: string;
  shown: string;
  field?: string;
}

export interface BranchOnlyRead extends BranchRead {
  /** A branch which, when taken, skips `root` while `nodeId` still runs. */
  taking: { nodeId: string; handle: string; label: string };
}

type Edge = BranchGraph["edges"][number];

/** Adjacency and whether the graph is acyclic, computed once per analysis; what each branch cuts off, cached. */
class BranchWalk {
  readonly inbound = new Map<string, Edge[]>();
  readonly outbound = new Map<string, Edge[]>();
  private readonly acyclic: boolean;
  private readonly cache = new Map<string, ReadonlySet<string>>();

  constructor(private readonly graph: BranchGraph) {
    for (const edge of graph.edges) {
      if (!graph.handles.has(edge.source) || !graph.handles.has(edge.target)) continue;
      push(this.inbound, edge.target, edge);
      push(this.outbound, edge.source, edge);
    }
    this.acyclic = this.isAcyclic();
  }

  private isAcyclic(): boolean {
    const pending = new Map<string, number>();
    const queue: string[] = [];
    for (const id of this.graph.handles.keys()) {
      const count = this.inbound.get(id)?.length ?? 0;
      pending.set(id, count);
      if (count === 0) queue.push(id);
    }
    let settled = 0;
    while (queue.length > 0) {
      settled++;
      for (const edge of this.outbound.get(queue.pop()!) ?? []) {
        const left = pending.get(edge.target)! - 1;
        pending.set(edge.target, left);
        if (left === 0) queue.push(edge.target);
      }
    }
    return settled === this.graph.handles.size;
  }

  /** Cyclic graphs: the nodes that cannot run when `branching` takes `handle`, by a search over the whole graph. */
  private searchCutOff(branching: string, handle: string): Set<string> {
    const running = new Set<string>();
    const queue: string[] = [];
    for (const id of this.graph.handles.keys()) {
      if ((this.inbound.get(id)?.length ?? 0) === 0) (running.add(id), queue.push(id));
    }
    while (queue.length > 0) {
      const id = queue.pop()!;
      for (const edge of this.outbound.get(id) ?? []) {
        if (id === branching && edge.handle !== handle) continue;
        if (!running.has(edge.target)) (running.add(edge.target), queue.push(edge.target));
      }
    }
    return new Set([...this.graph.handles.keys()].filter((id) => !running.has(id)));
  }

  /**
   * The nodes that cannot run when `branching` takes `handle`. In an acyclic graph every node can
   * run otherwise, and a node is cut off exactly when all its inbound edges are: those leaving the
   * other handles, and those leaving nodes cut off. Spreading that from the other handles' targets
   * costs what it finds (a branch usually rejoins quickly), not the whole graph per branch.
   */
  cutOff(branching: string, handle: string): ReadonlySet<string> {
    const key = `${branching}\u0000${handle}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let dead: Set<string>;
    if (!this.acyclic) dead = this.searchCutOff(branching, handle);
    else {
      dead = new Set<string>();
      const deadInbound = new Map<string, number>();
      const queue: string[] = [];
      const edgeDies = (target: string) => {
        const count = (deadInbound.get(target) ?? 0) + 1;
        deadInbound.set(target, count);
        if (count === (this.inbound.get(target)?.length ?? 0)) (dead.add(target), queue.push(target));
      };
      for (const edge of this.outbound.get(branching) ?? []) if (edge.handle !== handle) edgeDies(edge.target);
      while (queue.length > 0) for (const edge of this.outbound.get(queue.pop()!) ?? []) edgeDies(edge.target);
    }
    this.cache.set(key, dead);
    return dead;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Handles a node decides between: two or more with edges leaving them. */
function usedHandles(walk: BranchWalk, graph: BranchGraph, nodeId: string): string[] {
  const used = [...new Set((walk.outbound.get(nodeId) ?? []).map((e) => e.handle))];
  return (graph.handles.get(nodeId)?.length ?? 0) >= 2 && used.length >= 2 ? used : [];
}

export function branchOnlyReads(graph: BranchGraph, reads: readonly BranchRead[]): BranchOnlyRead[] {
  const relevant = reads.filter((r) => graph.handles.has(r.nodeId) && graph.handles.has(r.root));
  if (relevant.length === 0) return [];
  const walk = new BranchWalk(graph);
  const byRoot = new Map<string, BranchRead[]>();
  for (const read of relevant) push(byRoot, read.root, read);
  const found = new Map<BranchRead, BranchOnlyRead>();
  for (const nodeId of graph.handles.keys()) {
    for (const handle of usedHandles(walk, graph, nodeId)) {
      const dead = walk.cutOff(nodeId, handle);
      // Only a read of a node this branch cuts off can lose its value.
      for (const root of dead) {
        for (const read of byRoot.get(root) ?? []) {
          if (found.has(read) || dead.has(read.nodeId)) continue;
          found.set(read, { ...read, taking: { nodeId, handle, label: graph.labelOf(nodeId, handle) } });
        }
      }
    }
  }
  return relevant.filter((r) => found.has(r)).map((r) => found.get(r)!);
}

/** A read of a field its root never publishes where the reader runs: `onlyOn` is the one kind of branch the reader runs after. */
export interface OffBranchRead extends BranchRead {
  field: string;
  onlyOn: "error" | "success";
}

/**
 * Reads of a field the root does not publish on the branch the reader runs after. A node taking
 * its error branch publishes only `error`, and on its other branches no `error`: a node that runs
 * only after R's error branch and reads `R.label` (or only after R succeeded and reads `R.error`)
 * always reads nothing.
 */
export function offBranchFieldReads(graph: BranchGraph, reads: readonly BranchRead[], errorHandle: string, errorField: string): OffBranchRead[] {
  const relevant = reads.filter(
    (r): r is BranchRead & { field: string } => r.field !== undefined && graph.handles.has(r.nodeId) && (graph.handles.get(r.root) ?? []).includes(errorHandle),
  );
  if (relevant.length === 0) return [];
  const walk = new BranchWalk(graph);
  const result: OffBranchRead[] = [];
  for (const read of relevant) {
    const handles = graph.handles.get(read.root)!;
    const onError = !walk.cutOff(read.root, errorHandle).has(read.nodeId);
    const onSuccess = handles.some((h) => h !== errorHandle && !walk.cutOff(read.root, h).has(read.nodeId));
    if (read.field !== errorField && onError && !onSuccess) result.push({ ...read, onlyOn: "error" });
    if (read.field === errorField && onSuccess && !onError) result.push({ ...read, onlyOn: "success" });
  }
  return result;
}
