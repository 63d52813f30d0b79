import type { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { withoutPins } from "@/lib/engine/pins";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError } from "@/lib/services/errors";
import { db } from "@/lib/db/client";
import { type KnowledgeBaseMapping, knowledgeBasesOfGraph, mapKnowledgeBases } from "./knowledge-refs";
import type { NameMapping } from "./name-refs";
import { mapProviders, providersOfGraph } from "./provider-refs";
import { ImportWorkflowSchema, WORKFLOW_FILE_FORMAT, type WorkflowFile } from "./schemas";
import { createWorkflow, getWorkflow } from "./service";

/**
 * Moving workflows between workspaces and installations as a JSON file.
 * An import is only data: it is parsed and validated, then saved as a draft. Nothing in it is
 * executed, connected or started (no run, no sandbox, no MCP server, no HTTP call) until a person
 * runs or publishes the workflow.
 */

export async function exportWorkflow(member: Member, id: string): Promise<WorkflowFile> {
  const workflow = await getWorkflow(member, id);
  await recordMemberAction(member, "workflow.exported", { type: "workflow", id: workflow.id, label: workflow.name });
  const [knowledgeBases, providers] = await Promise.all([knowledgeBasesOfGraph(db(), member.workspaceId, workflow.graph), providersOfGraph(db(), member.workspaceId, workflow.graph)]);
  return {
    format: WORKFLOW_FILE_FORMAT,
    version: 1,
    name: workflow.name,
    description: workflow.description,
    slug: workflow.slug,
    // Pins are test data of this draft (outputs of its runs): they stay out of a file, like out of a version.
    graph: withoutPins(workflow.graph),
    exportedAt: new Date().toISOString(),
    ...(knowledgeBases.length > 0 ? { knowledgeBases } : {}),
    ...(providers.length > 0 ? { providers } : {}),
  };
}

/** The same rules as publish and run; an import with errors is refused with every problem and its node id. */
export function assertImportable(graph: Graph): void {
  const problems = validateGraph(graph, nodeRegistry).filter((p) => p.severity === "error");
  if (hasErrors(problems)) {
    throw new ServiceError("invalid_graph", `The workflow file has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was imported.`, {
      problems,
    });
  }
}

/** The audit counts of one kind of mapped reference (none when the file has none). */
function mappingCounts(kind: "knowledgeBases" | "providers", mappings: readonly NameMapping[]): Record<string, number> {
  if (mappings.length === 0) return {};
  return { [kind]: mappings.length, [`${kind}Missing`]: mappings.filter((m) => m.status === "missing").length };
}

/**
 * Saves the file as a new draft. Knowledge bases and the rerank models' providers it refers to are
 * mapped to this workspace's by name (each mapping reported); one that cannot be found is taken
 * out of its node, which keeps a validation error naming it until someone picks another
 * (lib/workflows/knowledge-refs.ts, lib/workflows/provider-refs.ts).
 */
export async function importWorkflow(
  member: Member,
  input: z.input<typeof ImportWorkflowSchema>,
): Promise<{ id: string; name: string; knowledgeBases: KnowledgeBaseMapping[]; providers: NameMapping[] }> {
  const { file, name } = ImportWorkflowSchema.parse(input);
  // The file as written must be valid; what the mapping leaves unresolved is for the editor to fix.
  assertImportable(file.graph);
  const bases = await mapKnowledgeBases(db(), member.workspaceId, file.graph, file.knowledgeBases);
  const mapped = await mapProviders(db(), member.workspaceId, bases.graph, file.providers);
  const finalName = name ?? file.name;
  const { id } = await createWorkflow(
    member,
    { name: finalName, description: file.description, graph: mapped.graph, slug: file.slug },
    { action: "workflow.imported", metadata: { nodes: file.graph.nodes.length, ...mappingCounts("knowledgeBases", bases.knowledgeBases), ...mappingCounts("providers", mapped.providers) } },
  );
  return { id, name: finalName, knowledgeBases: bases.knowledgeBases, providers: mapped.providers };
}
