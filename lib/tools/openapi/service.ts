import { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertMayReferenceSecrets } from "@/lib/secrets/policy";
import { ServiceError } from "@/lib/services/errors";
import { auditToolSource } from "../audit";
import { ToolAuthSchema, type OpenApiSourceConfig } from "../schema";
import { parseDocument, prepareParsed, type PreparedDocument } from "./document";
import type { OperationSummary, PreparedOperation, SkippedOperation } from "./operation";
import { isObject, type Json } from "./refs";
import { documentText } from "./source";
import { dropDocument, keepDocument } from "./stored-document";
import { insertOpenApiTools, updateOpenApiTools, type ChangedToolRow, type NewToolRow } from "./tool-rows";

/**
 * OpenAPI import as a service: preview (list operations, store nothing) and import (one tool of kind
 * `openapi` per chosen operation; servers and security schemes on the ToolSource). The document is
 * given as text (pasted or uploaded) or by URL (fetched through the SSRF guard).
 */

/** Where the document is: exactly one of text and url. */
const DocumentSourceSchema = z.object({
  /** The document as pasted or uploaded (JSON or YAML); its size is bounded by WEFT_OPENAPI_MAX_BYTES where the request is read. */
  text: z.string().min(1, "Paste or upload an OpenAPI document").optional(),
  /** An http(s) URL the server fetches the document from (SSRF-guarded, the workspace's allow-list applies). */
  url: z.url({ protocol: /^https?$/, error: "Give an http(s) URL" }).max(2_000).optional(),
});
const exactlyOneSource = (value: { text?: string; url?: string }) => (value.text === undefined) !== (value.url === undefined);
const ONE_SOURCE = { message: "Give the document either as text (or an uploaded file) or by URL", path: ["text"] };

export const OpenApiPreviewSchema = DocumentSourceSchema.refine(exactlyOneSource, ONE_SOURCE);

export const OpenApiImportSchema = DocumentSourceSchema.extend({
  /** The source's name (unique per workspace); importing again under the same name updates its tools. */
  sourceName: z.string().trim().min(1).max(80).optional(),
  /** Operation keys ("GET /pets/{petId}") to import; all when absent. */
  operations: z.array(z.string()).max(5_000).optional(),
  /** Overrides the document's first server URL. */
  baseUrl: z.string().trim().max(2_000).optional(),
  /** Auth for every operation (a secret reference); by default mapped from the document's security schemes, secret unset. */
  auth: ToolAuthSchema.optional(),
}).refine(exactlyOneSource, ONE_SOURCE);
export type OpenApiImportInput = z.input<typeof OpenApiImportSchema>;

/** JSON with sorted keys: PostgreSQL's jsonb does not keep key order, so stored and fresh objects compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

const summaryOf = (op: PreparedOperation): OperationSummary => ({
  key: op.key,
  method: op.method,
  path: op.path,
  operationId: op.operationId,
  summary: op.summary,
  toolName: op.toolName,
  notes: op.notes,
});

const workspaceToolNames = async (db: Db, workspaceId: string) =>
  new Set((await db.tool.findMany({ where: { workspaceId }, select: { name: true } })).map((t) => t.name));

/** What the import dialog shows before anything is stored: every operation, and the ones that cannot be imported with the reason. */
export async function previewOpenApi(member: Member, input: z.input<typeof OpenApiPreviewSchema>, db: Db = defaultDb()) {
  requirePermission(member, "tool.manage");
  const source = OpenApiPreviewSchema.parse(input);
  const raw = parseDocument(await documentText(db, member.workspaceId, source));
  const doc = prepareParsed(raw, { takenNames: await workspaceToolNames(db, member.workspaceId) });
  return {
    title: doc.title,
    version: doc.version,
    specVersion: doc.specVersion,
    servers: doc.servers,
    securitySchemes: doc.securitySchemes,
    auth: doc.auth,
    operations: doc.operations.map(summaryOf),
    skipped: doc.skipped,
  };
}

export type OpenApiPreview = Awaited<ReturnType<typeof previewOpenApi>>;

export interface ImportResult {
  sourceId: string;
  sourceName: string;
  created: number;
  updated: number;
  removed: number;
  tools: { id: string; name: string; operation: string }[];
  /** Chosen operations that were not imported, with the reason. */
  skipped: SkippedOperation[];
}

/** The chosen operations prepared; unknown keys are an error, unimportable ones are reported. */
function chooseOperations(raw: Json, wanted: ReadonlySet<string> | null, takenNames: ReadonlySet<string>) {
  const doc = prepareParsed(raw, { takenNames, only: wanted ?? undefined });
  const skipped = wanted ? doc.skipped.filter((op) => wanted.has(op.key)) : doc.skipped;
  if (wanted) {
    const known = new Set([...doc.operations, ...doc.skipped].map((op) => op.key));
    const unknown = [...wanted].filter((key) => !known.has(key));
    if (unknown.length) throw new ServiceError("invalid_request", `The document has no operation ${unknown.slice(0, 5).join(", ")}.`);
  }
  if (doc.operations.length === 0) {
    const why = skipped.slice(0, 3).map((op) => `${op.key}: ${op.reason}`).join(" ");
    throw new ServiceError("invalid_request", skipped.length ? `None of the chosen operations can be imported. ${why}` : "Choose at least one operation to import.", { skipped });
  }
  return { doc, skipped };
}

type ExistingTool = { id: string; name: string; inputSchema: unknown; config: unknown; description: string };

/** Writes the chosen operations as tools of the source: changed ones updated in place (same name), new ones created, unchosen ones removed. */
async function syncTools(tx: Prisma.TransactionClient, member: Member, sourceId: string, chosen: PreparedOperation[], byOperation: Map<string, ExistingTool>) {
  const fresh: NewToolRow[] = [];
  const changed: ChangedToolRow[] = [];
  const tools: ImportResult["tools"] = [];
  for (const op of chosen) {
    const previous = byOperation.get(op.key);
    byOperation.delete(op.key);
    const row = { description: op.description, inputSchema: op.inputSchema, config: op.config };
    if (!previous) {
      const id = crypto.randomUUID();
      fresh.push({ id, workspaceId: member.workspaceId, name: op.toolName, sourceId, ownerId: member.userId, ...row });
      tools.push({ id, name: op.toolName, operation: op.key });
      continue;
    }
    const same = canonical(previous.inputSchema) === canonical(op.inputSchema) && canonical(previous.config) === canonical(op.config) && previous.description === op.description;
    if (!same) changed.push({ id: previous.id, ...row });
    tools.push({ id: previous.id, name: previous.name, operation: op.key });
  }
  await insertOpenApiTools(tx, fresh);
  await updateOpenApiTools(tx, changed);
  const stale = [...byOperation.values()].map((t) => t.id);
  if (stale.length) await tx.tool.deleteMany({ where: { id: { in: stale } } });
  return { created: fresh.length, updated: changed.length, removed: stale.length, tools };
}

function sourceConfig(doc: PreparedDocument, data: z.infer<typeof OpenApiImportSchema>, previous: Json | null): OpenApiSourceConfig {
  const previousAuth = previous ? ToolAuthSchema.safeParse(previous.auth) : null;
  const auth = data.auth ?? (previousAuth?.success && previousAuth.data.type === doc.auth.type ? previousAuth.data : doc.auth);
  return {
    baseUrl: data.baseUrl ?? doc.servers.find((s) => /^https?:\/\//.test(s)) ?? "",
    servers: doc.servers,
    auth,
    securitySchemes: doc.securitySchemes,
    title: doc.title,
    version: doc.version,
    ...(data.url ? { documentUrl: data.url } : {}),
  };
}

/**
 * Stores the source and one tool per chosen operation. Importing again under the same source name
 * updates that source's tools in place (version bumped when something changed; names never change),
 * adds new operations and removes the ones no longer chosen. The document's text is kept in file
 * storage, written before the database and removed again if the database refuses.
 */
export async function importOpenApi(member: Member, input: OpenApiImportInput, db: Db = defaultDb()): Promise<ImportResult> {
  requirePermission(member, "tool.manage");
  const data = OpenApiImportSchema.parse(input);
  const text = await documentText(db, member.workspaceId, data);
  const raw = parseDocument(text);
  const title = isObject(raw.info) && typeof raw.info.title === "string" ? raw.info.title : "API";
  const sourceName = (data.sourceName ?? title).slice(0, 80);
  const existingSource = await db.toolSource.findFirst({ where: { workspaceId: member.workspaceId, name: sourceName } });
  if (existingSource && existingSource.kind !== "openapi") throw new ServiceError("conflict", `A tool source named ${sourceName} already exists and is not an OpenAPI import.`);
  const existingTools = existingSource ? await db.tool.findMany({ where: { sourceId: existingSource.id } }) : [];
  const byOperation = new Map<string, ExistingTool>(existingTools.map((t) => [String((t.config as Json).operation), t]));
  // Every name in the workspace is taken, this source's too: existing operations keep their tool's name.
  const { doc, skipped } = chooseOperations(raw, data.operations ? new Set(data.operations) : null, await workspaceToolNames(db, member.workspaceId));
  const config = sourceConfig(doc, data, existingSource ? (existingSource.config as Json) : null) as unknown as Prisma.InputJsonValue;

  const sourceId = existingSource?.id ?? crypto.randomUUID();
  if (!existingSource) await keepDocument(sourceId, text);
  let synced;
  try {
    synced = await db.$transaction(
      async (tx) => {
        if (existingSource) await tx.toolSource.update({ where: { id: sourceId }, data: { config, document: Prisma.DbNull, lastSyncedAt: new Date() } });
        else await tx.toolSource.create({ data: { id: sourceId, workspaceId: member.workspaceId, kind: "openapi", name: sourceName, config, createdById: member.userId, lastSyncedAt: new Date() } });
        return syncTools(tx, member, sourceId, doc.operations, byOperation);
      },
      { timeout: 60_000 },
    );
  } catch (error) {
    if (!existingSource) await dropDocument(sourceId).catch(() => undefined);
    throw error;
  }
  // A re-import replaces the kept text only once the tools match it.
  if (existingSource) await keepDocument(sourceId, text);
  const result: ImportResult = { sourceId, sourceName, ...synced, skipped };
  const counts = { kind: "openapi", created: result.created, updated: result.updated, removed: result.removed };
  await recordMemberAction(member, existingSource ? "tool_source.updated" : "tool_source.created", { type: "tool_source", id: sourceId, label: sourceName }, { metadata: counts });
  return result;
}

/** Changes a source's base URL or auth (the tools keep their operations). */
export const UpdateOpenApiSourceSchema = z.object({ baseUrl: z.string().trim().max(2_000).optional(), auth: ToolAuthSchema.optional() });

export async function updateOpenApiSource(member: Member, id: string, input: z.input<typeof UpdateOpenApiSourceSchema>, db: Db = defaultDb()) {
  requirePermission(member, "tool.manage");
  const data = UpdateOpenApiSourceSchema.parse(input);
  const source = await db.toolSource.findFirst({ where: { id, workspaceId: member.workspaceId, kind: "openapi" } });
  if (!source) throw new ServiceError("not_found", "OpenAPI source not found.");
  const config = { ...(source.config as Json), ...(data.baseUrl !== undefined ? { baseUrl: data.baseUrl } : {}), ...(data.auth ? { auth: data.auth } : {}) };
  await assertMayReferenceSecrets(db, member, config, source.config);
  await db.toolSource.update({ where: { id }, data: { config: config as Prisma.InputJsonValue } });
  await auditToolSource(member, "tool_source.updated", { ...(source.config as Json), id, name: source.name }, { ...config, id, name: source.name });
  return { id, name: source.name, config };
}

export async function deleteToolSource(member: Member, id: string, db: Db = defaultDb()): Promise<void> {
  requirePermission(member, "tool.manage");
  const source = await db.toolSource.findFirst({ where: { id, workspaceId: member.workspaceId, kind: "openapi" }, select: { id: true, name: true } });
  const deleted = await db.toolSource.deleteMany({ where: { id, workspaceId: member.workspaceId, kind: "openapi" } });
  if (!source || deleted.count === 0) throw new ServiceError("not_found", "OpenAPI source not found.");
  await dropDocument(id).catch(() => undefined);
  await auditToolSource(member, "tool_source.deleted", source, null);
}
