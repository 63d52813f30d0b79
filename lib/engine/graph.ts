import { z } from "zod";
import { LIMITS } from "./limits";
import { NodePinSchema } from "./pins";
import { WorkflowVariableSchema } from "./variables";

/**
 * The stored workflow graph: close to React Flow's own node/edge shape so the editor
 * can load it directly, plus a schema version for future migrations.
 */
export const NodeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "node ids are lower-case letters, digits and _ (they are used in {{ id.field }} references)");

export const GraphNodeSchema = z.object({
  id: NodeIdSchema,
  type: z.string().min(1),
  position: z.object({ x: z.number(), y: z.number() }),
  data: z.record(z.string(), z.unknown()),
  /**
   * The container (Loop) this node belongs to, as in React Flow's sub-flows: the node is part of
   * the loop's body, runs once per item, and its position is relative to the container.
   */
  parentId: NodeIdSchema.optional(),
  /** Size of a resizable container on the canvas (other nodes size themselves). */
  width: z.number().positive().max(20_000).optional(),
  height: z.number().positive().max(20_000).optional(),
  /**
   * A disabled node stays on the canvas but never executes: its step is recorded as skipped
   * (`detail.disabled`), its output is empty and the flow goes on through it (see ARCHITECTURE.md).
   */
  disabled: z.boolean().optional(),
  /** An output pinned in the editor: draft test-runs use it instead of executing the node; publishing strips it (pins.ts). */
  pin: NodePinSchema.optional(),
});

export const GraphEdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  sourceHandle: z.string().nullish(),
  target: z.string().min(1),
  targetHandle: z.string().nullish(),
});

export const GraphSchema = z.object({
  version: z.literal(1),
  nodes: z.array(GraphNodeSchema).max(LIMITS.maxGraphNodes, `A workflow has at most ${LIMITS.maxGraphNodes.toLocaleString("en")} nodes.`),
  edges: z.array(GraphEdgeSchema).max(LIMITS.maxGraphEdges, `A workflow has at most ${LIMITS.maxGraphEdges.toLocaleString("en")} connections.`),
  /** Workflow variables (`{{ var.<name> }}`), set by Variable assign nodes; see variables.ts. */
  variables: z.array(WorkflowVariableSchema).max(100).optional(),
});

export type GraphNode = z.infer<typeof GraphNodeSchema>;
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;
export type Graph = z.infer<typeof GraphSchema>;

export const emptyGraph = (): Graph => ({ version: 1, nodes: [], edges: [] });

/** The handle id an edge leaves from; nodes with a single output use "out". */
export const DEFAULT_HANDLE = "out";
export const edgeHandle = (edge: GraphEdge): string => edge.sourceHandle ?? DEFAULT_HANDLE;

/** The nodes and edges of one level: the top level (`parentId` absent) or the body of one container. */
export function graphLevel(graph: Graph, parentId: string | undefined): Graph {
  const ids = new Set(graph.nodes.filter((n) => n.parentId === parentId).map((n) => n.id));
  return { ...graph, nodes: graph.nodes.filter((n) => ids.has(n.id)), edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) };
}
