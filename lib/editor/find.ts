import type { NodeRegistry } from "@/lib/nodes/registry";
import type { FlowDoc, WeftNode } from "./flow";

/** Find and outline: which nodes match a search, and the workflow's nodes as a list. */

export interface OutlineEntry {
  id: string;
  kind: string;
  /** The node's own title, or its type's label. */
  title: string;
  /** The type's label (LLM, Condition, …). */
  typeLabel: string;
  /** 0 at the top level, 1 inside a loop. */
  depth: number;
}

export function nodeTitle(node: WeftNode, registry: NodeRegistry): string {
  const title = node.data.config.title;
  return typeof title === "string" && title.trim() ? title.trim() : (registry[node.data.kind]?.label ?? node.data.kind);
}

/** Every node, each loop followed by its body, in document order. */
export function outline(doc: Pick<FlowDoc, "nodes">, registry: NodeRegistry): OutlineEntry[] {
  const entry = (n: WeftNode, depth: number): OutlineEntry => ({
    id: n.id,
    kind: n.data.kind,
    title: nodeTitle(n, registry),
    typeLabel: registry[n.data.kind]?.label ?? n.data.kind,
    depth,
  });
  const children = new Map<string, WeftNode[]>();
  for (const n of doc.nodes) if (n.parentId) (children.get(n.parentId) ?? children.set(n.parentId, []).get(n.parentId)!).push(n);
  const ids = new Set(doc.nodes.map((n) => n.id));
  const list: OutlineEntry[] = [];
  for (const n of doc.nodes) {
    // Orphans (a parent that is gone) are listed at the top level rather than lost.
    if (n.parentId && ids.has(n.parentId)) continue;
    list.push(entry(n, 0));
    for (const child of children.get(n.id) ?? []) list.push(entry(child, 1));
  }
  return list;
}

/** Every string in a config, joined: what "settings text" searches. */
function settingsText(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number" || typeof value === "boolean") out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) settingsText(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) settingsText(v, out);
  return out;
}

/** Lower-cased search text per node config; configs are immutable, so a drag reuses every entry. */
const searchText = new WeakMap<object, string>();

function configText(config: Record<string, unknown>): string {
  let text = searchText.get(config);
  if (text === undefined) {
    text = settingsText(config).join("\n").toLowerCase();
    searchText.set(config, text);
  }
  return text;
}

/** The outline entries whose title, type, id or settings contain `query` (case-insensitive), in outline order. */
export function findNodes(doc: Pick<FlowDoc, "nodes">, query: string, registry: NodeRegistry): OutlineEntry[] {
  const needle = query.trim().toLowerCase();
  const entries = outline(doc, registry);
  if (!needle) return entries;
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  return entries.filter((e) => {
    const config = byId.get(e.id)?.data.config;
    const haystack = [e.title, e.typeLabel, e.kind, e.id];
    return haystack.some((text) => text.toLowerCase().includes(needle)) || (config !== undefined && configText(config).includes(needle));
  });
}
