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

/** Where a loop's body starts inside the container (below its header and hint line). */
const BODY_OFFSET = { x: 24, y: 64 };

/**
 * Positions for every node: the top level laid out on its own (a loop counts as one box of its
 * size), then each loop's body inside its container, relative to it.
 */
export async function layoutPositions(doc: FlowDoc, registry: NodeRegistry): Promise<Map<string, { x: number; y: number }>> {
  const positions = await layoutLevel(doc.nodes.filter((n) => !n.parentId), doc.edges, registry);
  const containers = new Set(doc.nodes.filter((n) => n.parentId).map((n) => n.parentId!));
  for (const containerId of containers) {
    const body = await layoutLevel(
      doc.nodes.filter((n) => n.parentId === containerId),
      doc.edges,
      registry,
    );
    for (const [id, p] of body) positions.set(id, { x: p.x + BODY_OFFSET.x, y: p.y + BODY_OFFSET.y });
  }
  return positions;
}

async function layoutLevel(nodes: FlowDoc["nodes"], allEdges: FlowDoc["edges"], registry: NodeRegistry): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(nodes.map((n) => n.id));
  const children: ElkNode[] = nodes.map((node) => {
    const handles = handleIds(node.data.kind, node.data.config, registry);
    return {
      id: node.id,
      width: node.width ?? node.measured?.width ?? DEFAULT_SIZE.width,
      height: node.height ?? node.measured?.height ?? DEFAULT_SIZE.height,
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
  const edges: ElkExtendedEdge[] = allEdges
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
