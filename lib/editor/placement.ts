import type { FlowDoc } from "./flow";

/** Room a node takes on the canvas when placing another beside it (nodes are 240 px wide). */
const NODE_BOX = { width: 240, height: 110 };
const GAP_X = 60;
const STEP_Y = 130;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const inside = (rect: Rect, point: { x: number; y: number }) =>
  point.x >= rect.x && point.y >= rect.y && point.x + NODE_BOX.width <= rect.x + rect.width && point.y + NODE_BOX.height <= rect.y + rect.height;

function occupied(doc: FlowDoc, point: { x: number; y: number }): boolean {
  return doc.nodes.some((n) => {
    if (n.parentId) return false;
    const width = n.width ?? n.measured?.width ?? NODE_BOX.width;
    const height = n.height ?? n.measured?.height ?? NODE_BOX.height;
    return point.x < n.position.x + width && point.x + NODE_BOX.width > n.position.x && point.y < n.position.y + height && point.y + NODE_BOX.height > n.position.y;
  });
}

/**
 * Where a node added by a click on the palette goes: right of the selected node when that spot
 * is in view, else in the middle of the view; moved down past nodes already there, so the new
 * node is visible and never lands on another one. `view` is the visible canvas in flow coordinates.
 */
export function placeNewNode(doc: FlowDoc, view: Rect): { x: number; y: number } {
  const selected = doc.nodes.filter((n) => n.selected && !n.parentId);
  const anchor = selected.length === 1 ? selected[0] : undefined;
  const besideSelection = anchor
    ? { x: anchor.position.x + (anchor.measured?.width ?? NODE_BOX.width) + GAP_X, y: anchor.position.y }
    : undefined;
  const centre = { x: view.x + view.width / 2 - NODE_BOX.width / 2, y: view.y + view.height / 2 - NODE_BOX.height / 2 };
  let point = besideSelection && inside(view, besideSelection) ? besideSelection : centre;
  for (let tries = 0; tries < 20 && occupied(doc, point); tries++) {
    const next = { x: point.x, y: point.y + STEP_Y };
    if (!inside(view, next)) break;
    point = next;
  }
  return { x: Math.round(point.x), y: Math.round(point.y) };
}
