import type { Graph } from "@/lib/engine/graph";
import type { NodePin } from "@/lib/engine/pins";
import { graphToFlow, type FlowDoc } from "./flow";

/**
 * Pure edits for disabling a node, pinning its output and restoring a published version. Each is
 * an ordinary document change (autosaved, and undoable once the editor keeps a history).
 */

function withNodeData(doc: FlowDoc, id: string, edit: (data: FlowDoc["nodes"][number]["data"]) => FlowDoc["nodes"][number]["data"]): FlowDoc {
  if (!doc.nodes.some((n) => n.id === id)) return doc;
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, data: edit(n.data) } : n)) };
}

export function setNodeDisabled(doc: FlowDoc, id: string, disabled: boolean): FlowDoc {
  return withNodeData(doc, id, ({ disabled: _previous, ...data }) => (disabled ? { ...data, disabled: true } : data));
}

export function setNodePin(doc: FlowDoc, id: string, pin: NodePin | undefined): FlowDoc {
  return withNodeData(doc, id, ({ pin: _previous, ...data }) => (pin ? { ...data, pin } : data));
}

/** The document of a published version's graph, keeping the current selection where the node still exists. */
export function restoredDoc(current: FlowDoc, graph: Graph): FlowDoc {
  const selected = new Set(current.nodes.filter((n) => n.selected).map((n) => n.id));
  const next = graphToFlow(graph);
  return { ...next, variables: next.variables ?? [], nodes: next.nodes.map((n) => (selected.has(n.id) ? { ...n, selected: true } : n)) };
}

/** Parses JSON typed by a person as a node output: an object, or a message saying what is wrong. */
export function parseOutputJson(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : "parse error"}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, message: "An output is a JSON object, like { \"text\": \"…\" }." };
  return { ok: true, value: value as Record<string, unknown> };
}
