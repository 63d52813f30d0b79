import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";

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

export const FileKnowledgeBaseSchema = z.object({ id: z.string().max(100), name: z.string().max(200) });
export type FileKnowledgeBase = z.infer<typeof FileKnowledgeBaseSchema>;

export interface KnowledgeBaseMapping {
  /** The id in the file. */
  sourceId: string;
  /** Its name in the file (the id when the file has none: files exported before names were listed). */
  name: string;
  /** kept: the same base exists here (same workspace); mapped: the base of that name here; missing: none found. */
  status: "kept" | "mapped" | "missing";
  targetId: string | null;
  /** Why it is missing, for the person importing. */
  reason?: string;
  nodeIds: string[];
}

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

const fold = (name: string) => name.trim().toLowerCase();

/** This workspace's base for a name: the one of exactly that name, else the only one equal ignoring case and spaces around. */
function byName(bases: readonly { id: string; name: string }[], name: string): { id: string } | { ambiguous: number } | null {
  const exact = bases.find((kb) => kb.name === name);
  if (exact) return exact;
  const loose = bases.filter((kb) => fold(kb.name) === fold(name));
  if (loose.length === 1) return loose[0]!;
  return loose.length > 1 ? { ambiguous: loose.length } : null;
}

/** Decides each referenced id's fate in the target workspace. */
async function planMappings(db: Db, workspaceId: string, refs: Map<string, string[]>, named: readonly FileKnowledgeBase[]): Promise<KnowledgeBaseMapping[]> {
  // A workspace has a handful of knowledge bases: one read of their names serves every reference.
  const bases = await db.knowledgeBase.findMany({ where: { workspaceId }, select: { id: true, name: true } });
  return [...refs].map(([sourceId, nodeIds]): KnowledgeBaseMapping => {
    const name = named.find((kb) => kb.id === sourceId)?.name;
    if (bases.some((kb) => kb.id === sourceId)) return { sourceId, name: name ?? sourceId, status: "kept", targetId: sourceId, nodeIds };
    const match = name === undefined ? null : byName(bases, name);
    if (match && "id" in match) return { sourceId, name: name!, status: "mapped", targetId: match.id, nodeIds };
    const reason =
      name === undefined
        ? "The file does not name this knowledge base and it is not one of this workspace."
        : match
          ? `${match.ambiguous} knowledge bases here are named like "${name}".`
          : `No knowledge base here is named "${name}".`;
    return { sourceId, name: name ?? sourceId, status: "missing", targetId: null, reason, nodeIds };
  });
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
