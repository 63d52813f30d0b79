import { edgeHandle, type Graph } from "./graph";
import { ERROR_HANDLE } from "./policy";

/**
 * The ready-queue rule, as a pure function of the graph and what has happened so far.
 *
 * An inbound edge is *active* when its source succeeded and took that edge's handle (or took no
 * particular branch); it is *dead* when its source was skipped or took another branch; otherwise
 * it is undecided. A pending node is ready when none of its inbound edges is undecided and at
 * least one is active (so a join after if/else runs once the taken branch arrives); it is skipped
 * when every inbound edge is dead. Skips propagate through the graph in one call.
 */

/** `waiting` behaves like `running` here: its outbound edges stay undecided until the wait is resolved. */
export type SchedulerStatus = "pending" | "running" | "waiting" | "succeeded" | "failed" | "skipped";

export interface SchedulerState {
  status: SchedulerStatus;
  /** The handle a succeeded node took; undefined means all of its handles are active. */
  branch?: string;
}

export interface Schedule {
  ready: string[];
  skip: string[];
}

type EdgeState = "active" | "dead" | "undecided";

/**
 * The graph without canvas-only nodes (notes) and their edges: what a run actually schedules.
 * `isExecutable` comes from the node registry (definitions with `executable: false`).
 */
export function executableGraph(graph: Graph, isExecutable: (type: string) => boolean): Graph {
  if (graph.nodes.every((n) => isExecutable(n.type))) return graph;
  const kept = new Set(graph.nodes.filter((n) => isExecutable(n.type)).map((n) => n.id));
  return { ...graph, nodes: graph.nodes.filter((n) => kept.has(n.id)), edges: graph.edges.filter((e) => kept.has(e.source) && kept.has(e.target)) };
}

export function schedule(graph: Graph, states: Readonly<Record<string, SchedulerState | undefined>>): Schedule {
  const inbound = new Map<string, { source: string; handle: string }[]>();
  for (const node of graph.nodes) inbound.set(node.id, []);
  for (const edge of graph.edges) {
    if (edge.source === edge.target) continue;
    inbound.get(edge.target)?.push({ source: edge.source, handle: edgeHandle(edge) });
  }

  const skipped = new Set<string>();
  const statusOf = (id: string): SchedulerStatus => (skipped.has(id) ? "skipped" : (states[id]?.status ?? "pending"));
  const edgeState = (source: string, handle: string): EdgeState => {
    const status = statusOf(source);
    if (status === "skipped") return "dead";
    if (status !== "succeeded") return "undecided";
    const branch = states[source]?.branch;
    // The error handle is taken only explicitly: a node that succeeds "on every handle" did not fail.
    return (branch === undefined && handle !== ERROR_HANDLE) || branch === handle ? "active" : "dead";
  };

  const ready: string[] = [];
  const readySet = new Set<string>();
  const skip: string[] = [];
  // Skips feed further skips; repeat until nothing changes (at most one pass per graph depth).
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of graph.nodes) {
      if (statusOf(node.id) !== "pending" || readySet.has(node.id)) continue;
      const edges = inbound.get(node.id) ?? [];
      if (edges.length === 0) {
        ready.push(node.id);
        readySet.add(node.id);
        continue;
      }
      let active = 0;
      let dead = 0;
      for (const e of edges) {
        const s = edgeState(e.source, e.handle);
        if (s === "active") active++;
        else if (s === "dead") dead++;
      }
      if (active + dead < edges.length) continue;
      if (active > 0) {
        ready.push(node.id);
        readySet.add(node.id);
      } else {
        skipped.add(node.id);
        skip.push(node.id);
        changed = true;
      }
    }
  }
  return { ready, skip };
}
