import { KEY_COLUMNS, KEY_FROM, type ApiCaller } from "@/lib/api-keys/authenticate";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { knownPublishedGraph, publishedGraph } from "@/lib/runs/version-graphs";
import { declaredInputs } from "@/lib/engine/inputs";
import { nodeRegistry } from "@/lib/nodes/registry";
import type { RunOrigin, RunTrigger } from "@/lib/runs/initiator";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { z } from "zod";
import { requirePermission } from "@/lib/auth/permissions";
import { notFound } from "@/lib/services/errors";
import { ApiProblem } from "./errors";
import type { KeyCompanion } from "./route";
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
 * The workflow (by id or by slug, in the workspace $2) and its latest or pinned ($3) published
 * version, in one statement: every API run reads this, so it is one round trip instead of the
 * version, the workflow and, when unpublished, an existence check. The graph is left out when the
 * version is $4, the one this process read last for the workflow and has parsed already
 * (`knownVersion`): a published version never changes, so most reads send no graph at all.
 */
const publishedVersionSql = (where: { workflow: string; workspace: string; version: string; known: string }) =>
  `SELECT w."id" AS "workflowId", w."name", w."exposeAsTool", v."id" AS "versionId",
          CASE WHEN v."id" = ${where.known} THEN NULL ELSE v."graph" END AS "graph"
       FROM "workflows" w
       LEFT JOIN LATERAL (
         SELECT "id", "graph" FROM "workflow_versions"
          WHERE "workflowId" = w."id" AND (${where.version} IS NULL OR "version" = ${where.version})
          ORDER BY "version" DESC LIMIT 1
       ) v ON true
      WHERE ${where.workflow} AND w."workspaceId" = ${where.workspace}`;
const byParams = (key: "id" | "slug") => publishedVersionSql({ workflow: `w."${key}" = $1`, workspace: "$2", version: "$3::int", known: "$4" });
const FIND_PUBLISHED = prepared("published_version", byParams("id"));

/** The version each workflow's last read returned (by id, or by workspace and slug). Bounded; the oldest leaves first. */
const lastVersionRead = new Map<string, string>();
const MAX_REMEMBERED = 1_000;

/** The version $4 may name: one whose graph this process still has parsed (publishedGraph), else null. */
function knownVersion(workflowKey: string): string | null {
  const versionId = lastVersionRead.get(workflowKey);
  return versionId && knownPublishedGraph(versionId) ? versionId : null;
}

/**
 * The row's version with its parsed graph: from the row, or from this process's memory when the
 * statement left it out. Undefined when that memory lost it meanwhile (read again without $4).
 */
function withGraph<R extends { versionId: string | null; graph: unknown }>(workflowKey: string, row: R): (R & { graph: Graph | null }) | undefined {
  if (!row.versionId) return { ...row, graph: null };
  const graph = row.graph === null ? knownPublishedGraph(row.versionId) : publishedGraph(row.versionId, row.graph);
  if (!graph) return undefined;
  if (lastVersionRead.size >= MAX_REMEMBERED && !lastVersionRead.has(workflowKey)) lastVersionRead.delete(lastVersionRead.keys().next().value!);
  lastVersionRead.set(workflowKey, row.versionId);
  return { ...row, graph };
}

export async function findPublished(workspaceId: string, workflowId: string, version?: number): Promise<FoundVersion> {
  for (let known = knownVersion(workflowId); ; known = null) {
    const { rows } = await poolOf(db()).query(FIND_PUBLISHED([workflowId, workspaceId, version ?? null, known]));
    if (rows.length === 0) throw notFound("Workflow");
    const found = withGraph(workflowId, PublishedRowSchema.parse(rows[0]));
    if (found) return { ...found, workflowId };
  }
}

const LatestWithKeyRowSchema = z.object({ workflowId: z.string().nullable(), name: z.string().nullable(), versionId: z.string().nullable(), graph: z.unknown() });

/**
 * An API key's row and, in the same statement, the latest published version of `workflowId` in
 * that key's workspace (POST /api/v1/workflows/{id}/runs): one round trip instead of two. The key
 * is checked as always (lib/api-keys/authenticate.ts); the version is only used once it passed.
 */
const KEY_AND_LATEST_VERSION = prepared(
  "api_key_and_latest_version",
  `SELECT ${KEY_COLUMNS}, p."workflowId" AS "p_workflowId", p."name" AS "p_name", p."versionId" AS "p_versionId", p."graph" AS "p_graph"
     FROM ${KEY_FROM}
     LEFT JOIN LATERAL (${publishedVersionSql({ workflow: 'w."id" = $2', workspace: 'k."workspaceId"', version: "NULL::int", known: "$3" })}) p ON true
    WHERE k."hash" = $1`,
);

/**
 * Reads the key with the latest published version of `workflowId` (withApiKey's companion):
 * `result()` is that version, or throws the 404 findPublished would (no such workflow in the key's
 * workspace). The 409 for a workflow never published is left to startPublishedRun.
 */
export function latestVersionWithKey(workflowId: string): KeyCompanion<FoundVersion> {
  let row: Record<string, unknown> | undefined;
  return {
    read: async (hash) => {
      row = (await poolOf(db()).query(KEY_AND_LATEST_VERSION([hash, workflowId, knownVersion(workflowId)]))).rows[0];
      return row;
    },
    result: async () => {
      const published = LatestWithKeyRowSchema.parse({ workflowId: row?.p_workflowId ?? null, name: row?.p_name ?? null, versionId: row?.p_versionId ?? null, graph: row?.p_graph ?? null });
      if (!published.workflowId || published.name === null) throw notFound("Workflow");
      const found = withGraph(workflowId, { name: published.name, versionId: published.versionId, graph: published.graph });
      // Forgotten since the read (another workflow's versions pushed it out): read it on its own.
      return found ? { ...found, workflowId } : findPublished(row?.workspaceId as string, workflowId);
    },
  };
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
  options: { runId?: string; trigger?: RunTrigger; latest?: () => Promise<FoundVersion>; answersAfterEnd?: boolean } = {},
): Promise<{ runId: string }> {
  requirePermission(caller.member, "run.start");
  // The latest version may have been read with the key already (latestVersionWithKey).
  const found = version === undefined && options.latest ? await options.latest() : await findPublished(caller.workspaceId, workflowId, version);
  return runVersion(caller.member, found, inputs, keyOrigin(caller, options.trigger), { runId: options.runId, version, answersAfterEnd: options.answersAfterEnd });
}

/** The same for any trigger (API, webhook, schedule): `member` acts, `origin` is recorded on the run. */
export async function startPublishedRunAs(
  member: Member,
  workflowId: string,
  inputs: Record<string, unknown>,
  origin: RunOrigin,
  options: { runId?: string; version?: number; answersAfterEnd?: boolean } = {},
): Promise<{ runId: string }> {
  requirePermission(member, "run.start");
  const found = await findPublished(member.workspaceId, workflowId, options.version);
  return runVersion(member, found, inputs, origin, options);
}

/** A published version found by workflow id or slug (`versionId` null: no such version). */
export interface FoundVersion {
  workflowId: string;
  name: string;
  versionId: string | null;
  /** Parsed (null when there is no version). */
  graph: Graph | null;
}

const keyOrigin = (caller: ApiCaller, trigger: RunTrigger = "api"): RunOrigin => ({ trigger, apiKeyId: caller.keyId, apiKeyName: caller.keyName });

/** Starts a run of a version already read, for an API key (the OpenAI endpoint, the MCP server). */
export async function startVersionRun(
  caller: ApiCaller,
  found: FoundVersion,
  inputs: Record<string, unknown>,
  version: number | undefined,
  options: { runId?: string; trigger?: RunTrigger; endView?: boolean } = {},
): Promise<{ runId: string }> {
  requirePermission(caller.member, "run.start");
  return runVersion(caller.member, found, inputs, keyOrigin(caller, options.trigger), { runId: options.runId, version, endView: options.endView });
}

/** 409 `not_published` when the version was not found; otherwise the run, created and queued. */
async function runVersion(
  member: Member,
  found: FoundVersion,
  inputs: Record<string, unknown>,
  origin: RunOrigin,
  options: { runId?: string; version?: number; answersAfterEnd?: boolean; endView?: boolean },
) {
  if (!found.versionId || !found.graph) {
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
    graph: found.graph,
    inputs,
    workflowVersionId: found.versionId,
    origin,
  }, { answersAfterEnd: options.answersAfterEnd, endView: options.endView });
}

/** The latest published version's graph of a workflow of the workspace (null: none published; 404: no such workflow). */
export async function latestPublishedGraph(workspaceId: string, workflowId: string): Promise<Graph | null> {
  const found = await findPublished(workspaceId, workflowId);
  return found.graph;
}

const FIND_BY_SLUG = prepared("published_version_by_slug", byParams("slug"));
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
  const workflowKey = `${workspaceId}/${slug}`;
  for (let known = knownVersion(workflowKey); ; known = null) {
    const { rows } = await poolOf(db()).query(FIND_BY_SLUG([slug, workspaceId, version ?? null, known]));
    if (rows.length === 0) return null;
    const found = withGraph(workflowKey, FoundBySlugSchema.parse(rows[0]));
    if (!found) continue;
    return found.versionId && found.graph ? { ...found, versionId: found.versionId, graph: found.graph } : null;
  }
}
