import type { ELK, ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api";
import { nodeOutputHandles } from "@/lib/engine/policy";
import type { NodeRegistry } from "@/lib/nodes/registry";
import type { FlowDoc } from "./flow";

/**
 * Auto-layout with ELK's layered algorithm, left to right. Each output handle is an ordered
 * port on the node's east side, so condition branches stay in IF / ELIF / ELSE order.
 */

const DEFAULT_SIZE = { width: 240, height: 90 };

// ELK is large; load it only when the user asks for a layout.
let elk: Promise<ELK> | null = null;
function loadElk(): Promise<ELK> {
  elk ??= import("elkjs/lib/elk.bundled.js").then(({ default: Elk }) => new Elk());
  return elk;
}

function handleIds(kind: string, config: Record<string, unknown>, registry: NodeRegistry): string[] {
  const def = registry[kind];
  // Includes the error handle of a node whose On error setting takes the error branch.
  return def ? nodeOutputHandles(def, config).map((h) => h.id) : [];
}

export async function layoutPositions(doc: FlowDoc, registry: NodeRegistry): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const children: ElkNode[] = doc.nodes.map((node) => {
    const handles = handleIds(node.data.kind, node.data.config, registry);
    return {
      id: node.id,
      width: node.measured?.width ?? DEFAULT_SIZE.width,
      height: node.measured?.height ?? DEFAULT_SIZE.height,
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
      ports: [
        { id: `${node.id}::in`, layoutOptions: { "elk.port.side": "WEST" } },
        ...handles.map((handle, index) => ({
          id: `${node.id}::out::${handle}`,
          layoutOptions: { "elk.port.side": "EAST", "elk.port.index": String(index) },
        })),
      ],
    };
  });
  const ports = new Set(children.flatMap((c) => (c.ports ?? []).map((p) => p.id)));
  const edges: ElkExtendedEdge[] = doc.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((edge) => {
      const port = `${edge.source}::out::${edge.sourceHandle ?? "out"}`;
      return { id: edge.id, sources: [ports.has(port) ? port : edge.source], targets: [`${edge.target}::in`] };
    });
  const result = await (await loadElk()).layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.layered.spacing.nodeNodeBetweenLayers": "80",
      "elk.spacing.nodeNode": "40",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children,
    edges,
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of result.children ?? []) positions.set(child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) });
  return positions;
}
