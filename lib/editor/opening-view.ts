import type { WeftNode } from "./flow";

/** Flow-space width of the neighbourhood of Start a large graph opens on (about one screen at zoom 0.6). */
const AREA_WIDTH = 2_600;

/** Where the opening view puts the Start node: this far from the canvas's left edge, a third of the way down. */
const ANCHOR_INSET = 60;

/**
 * The viewport a large graph opens on: its Start node (else the first node) near the canvas's left
 * edge, at the zoom that fits the neighbourhood's width (0.5 to 1). Computed from positions, not
 * from measured sizes: with only the visible nodes rendered, the nodes not yet in view have no
 * size, and fitting to them could leave Start itself outside the view.
 */
export function openingViewport(nodes: readonly WeftNode[], canvas: { width: number; height: number }): { x: number; y: number; zoom: number } | null {
  const anchor = nodes.find((n) => n.data.kind === "start" && !n.parentId) ?? nodes.find((n) => !n.parentId);
  if (!anchor || canvas.width <= 0 || canvas.height <= 0) return null;
  const zoom = Math.min(1, Math.max(0.5, (canvas.width - 2 * ANCHOR_INSET) / AREA_WIDTH));
  return { x: ANCHOR_INSET - anchor.position.x * zoom, y: canvas.height / 3 - anchor.position.y * zoom, zoom };
}
