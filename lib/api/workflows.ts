import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import { declaredInputs } from "@/lib/engine/inputs";
import { nodeRegistry } from "@/lib/nodes/registry";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { findVersion } from "@/lib/workflows/versions";
import type { z } from "zod";
import { ApiProblem } from "./errors";
import type { InputFieldSchema, PublishedWorkflowSchema } from "./schemas";

type InputField = z.infer<typeof InputFieldSchema>;
type PublishedWorkflow = z.infer<typeof PublishedWorkflowSchema>;

/** The Start inputs as a JSON Schema, so API callers can validate before sending. */
export function inputJsonSchema(fields: InputField[]): Record<string, unknown> {
  return {
    type: "object",
    properties: Object.fromEntries(
      fields.map((f) => [f.name, { type: f.type, ...(f.label ? { title: f.label } : {}), ...(f.description ? { description: f.description } : {}) }]),
    ),
    required: fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

function inputFields(graph: unknown): InputField[] {
  const parsed = GraphSchema.safeParse(graph);
  if (!parsed.success) return [];
  return (declaredInputs(parsed.data, nodeRegistry) ?? []).map((d) => {
    const full = d as typeof d & { label?: unknown; description?: unknown };
    return {
      name: d.name,
      type: d.type,
      required: d.required,
      label: typeof full.label === "string" ? full.label : "",
      description: typeof full.description === "string" ? full.description : "",
    };
  });
}

/** Workflows of the caller's workspace that have at least one published version, with the latest one's inputs. */
export async function listPublishedWorkflows(caller: ApiCaller): Promise<PublishedWorkflow[]> {
  const rows = await db().workflow.findMany({
    where: { workspaceId: caller.workspaceId, versions: { some: {} } },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      description: true,
      versions: { orderBy: { version: "desc" }, take: 1, select: { version: true, createdAt: true, note: true, graph: true } },
    },
  });
  return rows.flatMap((row) => {
    const latest = row.versions[0];
    if (!latest) return [];
    const inputs = inputFields(latest.graph);
    return [
      {
        id: row.id,
        name: row.name,
        description: row.description,
        latestVersion: { version: latest.version, publishedAt: latest.createdAt.toISOString(), note: latest.note },
        inputs,
        inputSchema: inputJsonSchema(inputs),
      },
    ];
  });
}

/**
 * Starts a run of a published version (the latest unless pinned). 404 for another workspace's
 * workflow, 409 `not_published` when there is no such version, 400 for bad inputs.
 */
export async function startPublishedRun(caller: ApiCaller, workflowId: string, inputs: Record<string, unknown>, version?: number): Promise<{ runId: string }> {
  const found = await findVersion(caller.member, workflowId, version);
  if (!found) {
    throw new ApiProblem(
      409,
      "not_published",
      version === undefined
        ? "This workflow has not been published yet. Publish it in the editor before calling it through the API."
        : `This workflow has no published version ${version}.`,
    );
  }
  const workflow = await db().workflow.findUniqueOrThrow({ where: { id: workflowId }, select: { name: true } });
  return createAndEnqueueRun(caller.member, {
    workflowId,
    workflowName: workflow.name,
    graph: found.graph,
    inputs,
    workflowVersionId: found.id,
  });
}
