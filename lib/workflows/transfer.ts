import type { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { withoutPins } from "@/lib/engine/pins";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError } from "@/lib/services/errors";
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
  return {
    format: WORKFLOW_FILE_FORMAT,
    version: 1,
    name: workflow.name,
    description: workflow.description,
    slug: workflow.slug,
    // Pins are test data of this draft (outputs of its runs): they stay out of a file, like out of a version.
    graph: withoutPins(workflow.graph),
    exportedAt: new Date().toISOString(),
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

export async function importWorkflow(member: Member, input: z.input<typeof ImportWorkflowSchema>): Promise<{ id: string; name: string }> {
  const { file, name } = ImportWorkflowSchema.parse(input);
  assertImportable(file.graph);
  const finalName = name ?? file.name;
  const { id } = await createWorkflow(member, { name: finalName, description: file.description, graph: file.graph, slug: file.slug }, { action: "workflow.imported", metadata: { nodes: file.graph.nodes.length } });
  return { id, name: finalName };
}
