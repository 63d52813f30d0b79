import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import { type FileRef, FileRefSchema, type NameMapping, planByName } from "./name-refs";

/**
 * Knowledge bases in workflow files. A Knowledge node (`knowledgeBaseIds`) or an Agent
 * (`knowledgeBases`) names bases by id, and ids belong to one workspace. An export therefore
 * lists each referenced base's name; an import into another workspace maps each id to the base of
 * that name there, and where there is none (or several) it takes the id out and leaves the node a
 * validation error naming the base (lib/nodes/knowledge/unresolved.ts): never a dangling id, never
 * another base by guesswork.
 */

/** Which config field of which node type holds knowledge base ids. */
const KNOWLEDGE_FIELDS: Record<string, string> = { knowledge: "knowledgeBaseIds", agent: "knowledgeBases" };

export const FileKnowledgeBaseSchema = FileRefSchema;
export type FileKnowledgeBase = FileRef;
export type KnowledgeBaseMapping = NameMapping;

const idsOf = (node: GraphNode): string[] => {
  const field = KNOWLEDGE_FIELDS[node.type];
  const value = field ? node.data[field] : undefined;
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
};

/** Every knowledge base id the graph's nodes refer to, with the nodes that do. */
function referencesOf(graph: Graph): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const node of graph.nodes) for (const id of idsOf(node)) refs.set(id, [...(refs.get(id) ?? []), node.id]);
  return refs;
}

/** The names of the bases the graph refers to, for the export file (bases of the workflow's workspace only). */
export async function knowledgeBasesOfGraph(db: Db, workspaceId: string, graph: Graph): Promise<FileKnowledgeBase[]> {
  const ids = [...referencesOf(graph).keys()].filter((id) => z.string().uuid().safeParse(id).success);
  if (ids.length === 0) return [];
  return db.knowledgeBase.findMany({ where: { id: { in: ids }, workspaceId }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** Decides each referenced id's fate in the target workspace. */
async function planMappings(db: Db, workspaceId: string, refs: Map<string, string[]>, named: readonly FileKnowledgeBase[]): Promise<KnowledgeBaseMapping[]> {
  // A workspace has a handful of knowledge bases: one read of their names serves every reference.
  const bases = await db.knowledgeBase.findMany({ where: { workspaceId }, select: { id: true, name: true } });
  return planByName(bases, refs, named, "knowledge base");
}

/** The node with its ids replaced by the mapped ones, missing ones removed and named as unresolved. */
function remapNode(node: GraphNode, bySource: Map<string, KnowledgeBaseMapping>): GraphNode {
  const field = KNOWLEDGE_FIELDS[node.type];
  const ids = idsOf(node);
  if (!field || ids.length === 0) return node;
  const kept = ids.flatMap((id) => {
    const target = bySource.get(id)?.targetId;
    return target ? [target] : [];
  });
  const unresolved = ids.flatMap((id) => (bySource.get(id)?.status === "missing" ? [bySource.get(id)!.name] : []));
  const previous = Array.isArray(node.data.unresolvedKnowledgeBases) ? (node.data.unresolvedKnowledgeBases as string[]) : [];
  const data: Record<string, unknown> = { ...node.data, [field]: [...new Set(kept)] };
  const allUnresolved = [...new Set([...previous, ...unresolved])];
  if (allUnresolved.length > 0) data.unresolvedKnowledgeBases = allUnresolved;
  return { ...node, data };
}

/** The graph as it must be saved in `workspaceId`, and a report of every knowledge base reference. */
export async function mapKnowledgeBases(db: Db, workspaceId: string, graph: Graph, named: readonly FileKnowledgeBase[] = []): Promise<{ graph: Graph; knowledgeBases: KnowledgeBaseMapping[] }> {
  const refs = referencesOf(graph);
  if (refs.size === 0) return { graph, knowledgeBases: [] };
  const mappings = await planMappings(db, workspaceId, refs, named);
  const bySource = new Map(mappings.map((m) => [m.sourceId, m]));
  return { graph: { ...graph, nodes: graph.nodes.map((node) => remapNode(node, bySource)) }, knowledgeBases: mappings };
}
