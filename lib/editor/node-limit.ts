import { LIMITS } from "@/lib/engine/limits";

/** From this share of LIMITS.maxGraphNodes on, the editor says how close the graph is to the limit. */
export const NODE_LIMIT_WARN_RATIO = 0.9;

export type NodeLimitCheck = { ok: true; warning: string | null } | { ok: false; message: string };

const format = (n: number) => n.toLocaleString("en");

/** Whether `adding` more nodes fit a graph of `count` nodes, and the warning to show when they bring it near the limit. */
export function checkNodeLimit(count: number, adding = 1, max: number = LIMITS.maxGraphNodes): NodeLimitCheck {
  const after = count + adding;
  if (after > max) {
    return { ok: false, message: `A workflow has at most ${format(max)} nodes; this one has ${format(count)}. Split it into sub-workflows to add more.` };
  }
  if (after >= Math.ceil(max * NODE_LIMIT_WARN_RATIO)) {
    return { ok: true, warning: `${format(after)} of at most ${format(max)} nodes: consider moving parts into sub-workflows.` };
  }
  return { ok: true, warning: null };
}

/** The header's note near the limit, or null well below it. */
export function nodeCountNote(count: number, max: number = LIMITS.maxGraphNodes): string | null {
  return count >= Math.ceil(max * NODE_LIMIT_WARN_RATIO) ? `${format(count)} / ${format(max)} nodes` : null;
}
