import type { ApiCaller } from "@/lib/api-keys/authenticate";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { publishedGraph } from "@/lib/runs/version-graphs";
import { declaredInputs } from "@/lib/engine/inputs";
import { nodeRegistry } from "@/lib/nodes/registry";
import type { RunOrigin, RunTrigger } from "@/lib/runs/initiator";
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

/**
 * Workflows of the caller's workspace that have at least one published version, with the latest
 * one's inputs; `exposedAsTools`: only those marked "expose as tool" (the MCP server's tools).
 */
export async function listPublishedWorkflows(caller: ApiCaller, options: { exposedAsTools?: boolean } = {}): Promise<PublishedWorkflow[]> {
  const rows = await db().workflow.findMany({
    where: { workspaceId: caller.workspaceId, versions: { some: {} }, ...(options.exposedAsTools ? { exposeAsTool: true } : {}) },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      slug: true,
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
        slug: row.slug,
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
/** The workflow (by id or by slug, in the workspace) and its latest or pinned version ($3), in one statement. */
const publishedVersionSql = (key: "id" | "slug") =>
  `SELECT w."id" AS "workflowId", w."name", w."exposeAsTool", v."id" AS "versionId", v."graph"
       FROM "workflows" w
       LEFT JOIN LATERAL (
         SELECT "id", "graph" FROM "workflow_versions"
          WHERE "workflowId" = w."id" AND ($3::int IS NULL OR "version" = $3::int)
          ORDER BY "version" DESC LIMIT 1
       ) v ON true
      WHERE w."${key}" = $1 AND w."workspaceId" = $2`;
const FIND_PUBLISHED = prepared("published_version", publishedVersionSql("id"));

export async function findPublished(workspaceId: string, workflowId: string, version?: number) {
  const { rows } = await poolOf(db()).query(FIND_PUBLISHED([workflowId, workspaceId, version ?? null]));
  if (rows.length === 0) throw notFound("Workflow");
  return PublishedRowSchema.parse(rows[0]);
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
  options: { runId?: string; trigger?: RunTrigger } = {},
): Promise<{ runId: string }> {
  return startPublishedRunAs(caller.member, workflowId, inputs, keyOrigin(caller, options.trigger), { runId: options.runId, version });
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
  const found = await findPublished(member.workspaceId, workflowId, options.version);
  return runVersion(member, { ...found, workflowId }, inputs, origin, options);
}

/** A published version found by workflow id or slug (`versionId` null: no such version). */
export interface FoundVersion {
  workflowId: string;
  name: string;
  versionId: string | null;
  graph: unknown;
}

const keyOrigin = (caller: ApiCaller, trigger: RunTrigger = "api"): RunOrigin => ({ trigger, apiKeyId: caller.keyId, apiKeyName: caller.keyName });

/** Starts a run of a version already read, for an API key (the OpenAI endpoint, the MCP server). */
export async function startVersionRun(
  caller: ApiCaller,
  found: FoundVersion,
  inputs: Record<string, unknown>,
  version: number | undefined,
  options: { runId?: string; trigger?: RunTrigger } = {},
): Promise<{ runId: string }> {
  requirePermission(caller.member, "run.start");
  return runVersion(caller.member, found, inputs, keyOrigin(caller, options.trigger), { runId: options.runId, version });
}

/** 409 `not_published` when the version was not found; otherwise the run, created and queued. */
async function runVersion(member: Member, found: FoundVersion, inputs: Record<string, unknown>, origin: RunOrigin, options: { runId?: string; version?: number }) {
  if (!found.versionId) {
    throw new ApiProblem(
      409,
      "not_published",
      options.version === undefined
        ? "This workflow has not been published yet. Publish it in the editor before calling it through the API."
        : `This workflow has no published version ${options.version}.`,
    );
  }
  return createAndEnqueueRun(member, {
    id: options.runId,
    workflowId: found.workflowId,
    workflowName: found.name,
    graph: publishedGraph(found.versionId, found.graph),
    inputs,
    workflowVersionId: found.versionId,
    origin,
  });
}

/** The latest published version's graph of a workflow of the workspace (null: none published; 404: no such workflow). */
export async function latestPublishedGraph(workspaceId: string, workflowId: string): Promise<Graph | null> {
  const found = await findPublished(workspaceId, workflowId);
  return found.versionId ? publishedGraph(found.versionId, found.graph) : null;
}

const FIND_BY_SLUG = prepared("published_version_by_slug", publishedVersionSql("slug"));
const FoundBySlugSchema = PublishedRowSchema.extend({ workflowId: z.string(), exposeAsTool: z.boolean() });

/**
 * The workflow with this slug in the workspace and its latest (or pinned) published version with
 * the parsed graph; null when there is no such workflow or version (the OpenAI endpoint's unknown model).
 */
export async function findPublishedBySlug(
  workspaceId: string,
  slug: string,
  version?: number,
): Promise<(FoundVersion & { graph: Graph; versionId: string; exposeAsTool: boolean }) | null> {
  const { rows } = await poolOf(db()).query(FIND_BY_SLUG([slug, workspaceId, version ?? null]));
  const found = rows.length ? FoundBySlugSchema.parse(rows[0]) : null;
  if (!found?.versionId) return null;
  return { ...found, versionId: found.versionId, graph: publishedGraph(found.versionId, found.graph) };
}
