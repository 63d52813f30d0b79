import type { ApiCaller } from "@/lib/api-keys/authenticate";
import type { Member } from "@/lib/auth/member";
import type { RunOrigin } from "@/lib/runs/initiator";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { declaredInputs } from "@/lib/engine/inputs";
import { nodeRegistry } from "@/lib/nodes/registry";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { z } from "zod";
import { requirePermission } from "@/lib/auth/permissions";
import { notFound } from "@/lib/services/errors";
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

/** The workflow (in the caller's workspace) with the requested version, or null version when it has none. */
const PublishedRowSchema = z.object({ name: z.string(), versionId: z.string().nullable(), graph: z.unknown() });

/**
 * One statement: the workflow's name (scoped to the workspace: none → 404) and the latest (or the
 * pinned) published version with its graph (none → 409). Every API run reads this, so it is one
 * round trip instead of the version, the workflow and, when unpublished, an existence check.
 */
const FIND_PUBLISHED = prepared(
  "published_version",
  `SELECT w."name", v."id" AS "versionId", v."graph"
       FROM "workflows" w
       LEFT JOIN LATERAL (
         SELECT "id", "graph" FROM "workflow_versions"
          WHERE "workflowId" = w."id" AND ($3::int IS NULL OR "version" = $3::int)
          ORDER BY "version" DESC LIMIT 1
       ) v ON true
      WHERE w."id" = $1 AND w."workspaceId" = $2`,
);

async function findPublished(workspaceId: string, workflowId: string, version?: number) {
  const { rows } = await poolOf(db()).query(FIND_PUBLISHED([workflowId, workspaceId, version ?? null]));
  if (rows.length === 0) throw notFound("Workflow");
  return PublishedRowSchema.parse(rows[0]);
}

/** Parsed graphs of published versions (immutable rows), so repeated API runs skip the parse. Bounded. */
const versionGraphs = new Map<string, Graph>();
const VERSION_GRAPHS_MAX = 200;

function versionGraph(versionId: string, raw: unknown): Graph {
  const cached = versionGraphs.get(versionId);
  if (cached) return cached;
  const graph = GraphSchema.parse(raw);
  if (versionGraphs.size >= VERSION_GRAPHS_MAX) versionGraphs.delete(versionGraphs.keys().next().value!);
  versionGraphs.set(versionId, graph);
  return graph;
}

/**
 * Starts a run of a published version (the latest unless pinned). 404 for another workspace's
 * workflow, 409 `not_published` when there is no such version, 400 for bad inputs. `runId` lets a
 * caller subscribe to the run's events before the run exists (lib/api/wait.ts).
 */
export async function startPublishedRun(
  caller: ApiCaller,
  workflowId: string,
  inputs: Record<string, unknown>,
  version?: number,
  options: { runId?: string } = {},
): Promise<{ runId: string }> {
  return startPublishedRunAs(caller.member, workflowId, inputs, { trigger: "api", apiKeyId: caller.keyId, apiKeyName: caller.keyName }, { ...options, version });
}

/** The same for any trigger (API, webhook, schedule): `member` acts, `origin` is recorded on the run. */
export async function startPublishedRunAs(
  member: Member,
  workflowId: string,
  inputs: Record<string, unknown>,
  origin: RunOrigin,
  options: { runId?: string; version?: number } = {},
): Promise<{ runId: string }> {
  requirePermission(member, "run.start");
  const { version } = options;
  const found = await findPublished(member.workspaceId, workflowId, version);
  if (!found.versionId) {
    throw new ApiProblem(
      409,
      "not_published",
      version === undefined
        ? "This workflow has not been published yet. Publish it in the editor before calling it through the API."
        : `This workflow has no published version ${version}.`,
    );
  }
  return createAndEnqueueRun(member, {
    id: options.runId,
    workflowId,
    workflowName: found.name,
    graph: versionGraph(found.versionId, found.graph),
    inputs,
    workflowVersionId: found.versionId,
    origin,
  });
}

/** The latest published version's graph of a workflow of the workspace (null: none published; 404: no such workflow). */
export async function latestPublishedGraph(workspaceId: string, workflowId: string): Promise<Graph | null> {
  const found = await findPublished(workspaceId, workflowId);
  return found.versionId ? versionGraph(found.versionId, found.graph) : null;
}
