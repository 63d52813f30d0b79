import type { NodeRegistry } from "@/lib/nodes/registry";

/** The minimum the connection rules need to know about the graph. */
export interface ConnectGraph {
  /** `parentId`: the loop a body node belongs to. */
  nodes: readonly { id: string; kind: string; parentId?: string | null }[];
  edges: readonly { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }[];
}

export interface ConnectionAttempt {
  source: string | null;
  target: string | null;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/** Whether `to` can be reached from `from` by following edges forward. */
export function canReach(edges: ConnectGraph["edges"], from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current === to) return true;
    for (const target of next.get(current) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        stack.push(target);
      }
    }
  }
  return false;
}

/**
 * The rules the canvas applies while the user drags an edge. The validator reports the same
 * situations (cycles, edges into Start, out of End) for graphs that arrive by other routes.
 */
export function checkConnection(graph: ConnectGraph, attempt: ConnectionAttempt, registry: NodeRegistry): ConnectionCheck {
  const { source, target } = attempt;
  if (!source || !target) return { ok: false, reason: "An edge needs both ends." };
  if (source === target) return { ok: false, reason: "A node cannot connect to itself." };
  const sourceNode = graph.nodes.find((n) => n.id === source);
  const targetNode = graph.nodes.find((n) => n.id === target);
  if (!sourceNode || !targetNode) return { ok: false, reason: "Unknown node." };
  const sourceDef = registry[sourceNode.kind];
  const targetDef = registry[targetNode.kind];
  if (targetDef && !targetDef.hasInput) return { ok: false, reason: `${targetDef.label} takes no incoming edge.` };
  if ((sourceNode.parentId ?? null) !== (targetNode.parentId ?? null)) {
    return targetNode.parentId === source
      ? { ok: false, reason: "The nodes inside a loop start with each item; they need no connection from the loop." }
      : { ok: false, reason: "Connections cannot cross the border of a loop: connect the nodes inside it to each other, and the loop itself to the outside." };
  }
  if (sourceDef?.role === "end") return { ok: false, reason: `${sourceDef.label} has no outgoing edge.` };
  const handle = attempt.sourceHandle ?? null;
  const duplicate = graph.edges.some(
    (e) => e.source === source && e.target === target && (e.sourceHandle ?? null) === handle,
  );
  if (duplicate) return { ok: false, reason: "These handles are already connected." };
  if (canReach(graph.edges, target, source)) return { ok: false, reason: "This edge would create a cycle." };
  return { ok: true };
}
