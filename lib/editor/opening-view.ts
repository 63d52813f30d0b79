import type { WeftNode } from "./flow";

/** Flow-space area around the Start node a large graph opens on (about one screen at zoom 0.6). */
const AREA = { left: 200, right: 2_400, up: 400, down: 1_400 };

/**
 * The nodes a large graph is fitted to when it opens: the Start node (else the first node) and
 * its neighbourhood, so the user starts where the workflow starts, at a readable zoom, and only
 * those nodes have to be drawn (the rest are culled until panned to).
 */
export function openingNodes(nodes: readonly WeftNode[]): { id: string }[] {
  const anchor = nodes.find((n) => n.data.kind === "start" && !n.parentId) ?? nodes.find((n) => !n.parentId);
  if (!anchor) return [];
  const { x, y } = anchor.position;
  return nodes
    .filter((n) => !n.parentId && n.position.x >= x - AREA.left && n.position.x <= x + AREA.right && n.position.y >= y - AREA.up && n.position.y <= y + AREA.down)
    .map((n) => ({ id: n.id }));
}
