import type { GraphEdge } from "./graph";

/** Graph algorithms the validator needs, over adjacency maps (node id → neighbour ids); pure and iterative. */

/** Strongly connected components with more than one node (Tarjan, iterative to bound the stack). */
export function cycles(ids: readonly string[], out: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = out.get(frame.id) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) found.push(component.reverse());
      }
    }
  }
  return found;
}

export interface Topology {
  out: Map<string, string[]>;
  into: Map<string, string[]>;
}

/** Adjacency over edges whose ends exist (self-loops excluded: they are reported on their own). */
export function topology(nodeIds: ReadonlySet<string>, edges: readonly GraphEdge[]): Topology {
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const id of nodeIds) {
    out.set(id, []);
    into.set(id, []);
  }
  for (const edge of edges) {
    if (!nodeIds.has(edge.source) || !nodeIds.has(edge.target) || edge.source === edge.target) continue;
    out.get(edge.source)!.push(edge.target);
    into.get(edge.target)!.push(edge.source);
  }
  return { out, into };
}

export function reach(from: readonly string[], next: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/**
 * `isAncestor(a, b)`: is there a path a → … → b? Bitsets filled in topological order keep this
 * linear in the graph for the editor's live validation; nodes on a cycle fall back to a search.
 */
export function ancestorTest(
  ids: readonly string[],
  out: ReadonlyMap<string, string[]>,
  into: ReadonlyMap<string, string[]>,
): (a: string, b: string) => boolean {
  const index = new Map(ids.map((id, i) => [id, i] as const));
  const words = Math.ceil(ids.length / 32) || 1;
  const bits = new Map<string, Uint32Array>();
  const pending = new Map(ids.map((id) => [id, into.get(id)?.length ?? 0] as const));
  const queue = ids.filter((id) => pending.get(id) === 0);
  while (queue.length > 0) {
    const id = queue.pop()!;
    const own = new Uint32Array(words);
    for (const parent of into.get(id) ?? []) {
      const p = bits.get(parent)!;
      for (let w = 0; w < words; w++) own[w] |= p[w];
      const i = index.get(parent)!;
      own[i >>> 5] |= 1 << (i & 31);
    }
    bits.set(id, own);
    for (const child of out.get(id) ?? []) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  const searched = new Map<string, Set<string>>();
  return (a, b) => {
    const set = bits.get(b);
    const i = index.get(a);
    if (i === undefined) return false;
    if (set) return (set[i >>> 5] & (1 << (i & 31))) !== 0;
    let found = searched.get(b);
    if (!found) {
      found = reach([b], into);
      searched.set(b, found);
    }
    return found.has(a);
  };
}
