import type { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import { auditToolSource } from "@/lib/tools/audit";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";
import { Prisma } from "@/lib/generated/prisma/client";
import { redactSecrets } from "@/lib/secrets/crypto";
import { assertMayReferenceSecrets } from "@/lib/secrets/policy";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { stdioCatalogue } from "./operator";
import { mcpPool, type McpPool } from "./pool";
import {
  CreateMcpSourceSchema,
  type CreateMcpSourceInput,
  defaultToolPrefix,
  type McpSourceView,
  type McpStatus,
  type McpSyncResult,
  type McpToolView,
  type McpSourceConfig,
  type McpStdioOptions,
  McpToolConfigSchema,
  type McpToolConfig,
  McpToolAnnotationsSchema,
  type McpToolAnnotations,
  UpdateMcpToolSchema,
  type UpdateMcpToolInput,
  registryToolName,
  type StoredMcpConfig,
  UpdateMcpSourceSchema,
  type UpdateMcpSourceInput,
} from "./schema";
import { poolKey, startSource, storedConfig, type StartDeps } from "./start";
import { markFailed } from "./status";
import { allowedEntry, stdioOptions } from "./stdio-launch";

/**
 * MCP servers as tool sources (developer role and up). Registering, editing and listing never
 * start a server; only `syncMcpSource` (the "Connect / Refresh tools" button) does, and caches
 * the server's tools as `Tool` rows (kind "mcp").
 */

export interface McpServiceDeps extends StartDeps {
  db?: Db;
  pool?: McpPool;
  /** How long listing the tools may take. */
  listTimeoutMs?: number;
}

const KIND = "mcp";

const requireDeveloper = (member: Member) => requirePermission(member, "mcp.manage");

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError("invalid_request", "The MCP server settings are invalid.", {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    });
  }
  return parsed.data;
}

/**
 * A stdio config must name one of the operator's servers and fill only the variables it allows;
 * anything else is a 400 now rather than a failed start later.
 */
function requireAllowedStdio(config: McpSourceConfig | undefined, name: string, deps: McpServiceDeps) {
  if (config?.transport !== "stdio") return;
  try {
    allowedEntry(deps.stdio ?? stdioCatalogue(), config, name);
  } catch (error) {
    if (!(error instanceof NodeError)) throw error;
    throw new ServiceError("invalid_request", error.message, { issues: [{ path: "config.serverId", message: error.message }] });
  }
}

/**
 * Sampling answers with a model of this workspace's provider registry: the provider must be one of
 * the workspace's and list the model, or the model an alias of the workspace (a 400 that says which otherwise).
 */
async function requireSamplingModel(db: Db, workspaceId: string, config: McpSourceConfig | undefined): Promise<void> {
  const sampling = config?.sampling;
  if (!sampling) return;
  if (sampling.providerId === ALIAS_PROVIDER_ID) {
    const alias = await db.modelAlias.findFirst({ where: { workspaceId, name: sampling.model }, select: { id: true } });
    if (alias) return;
    const message = `There is no model alias "${sampling.model}" in this workspace.`;
    throw new ServiceError("invalid_request", `Sampling: ${message}`, { issues: [{ path: "config.sampling.model", message }] });
  }
  const provider = await db.modelProvider.findFirst({ where: { id: sampling.providerId, workspaceId }, select: { name: true, models: true } });
  const problem = !provider
    ? { path: "config.sampling.providerId", message: "Pick one of this workspace's model providers (Settings → Models)." }
    : provider.models.length > 0 && !provider.models.includes(sampling.model)
      ? { path: "config.sampling.model", message: `The provider "${provider.name}" does not list the model "${sampling.model}".` }
      : null;
  if (problem) throw new ServiceError("invalid_request", `Sampling: ${problem.message}`, { issues: [problem] });
}

type SourceRow = Prisma.ToolSourceGetPayload<{ include: { tools: true } }>;

function toolView(tool: SourceRow["tools"][number]): McpToolView {
  const config = McpToolConfigSchema.safeParse(tool.config);
  return {
    id: tool.id,
    name: tool.name,
    toolName: config.success ? config.data.toolName : "",
    description: tool.description,
    inputSchema: (tool.inputSchema ?? {}) as Record<string, unknown>,
    enabled: tool.enabled,
    annotations: (config.success ? config.data.annotations : undefined) ?? {},
    requireApproval: config.success && config.data.requireApproval === true,
  };
}

/**
 * From the row, so every process reports the same: the last contact of any process (web or worker)
 * failed → error; it succeeded → connected; tools listed before contacts were recorded → idle.
 */
function statusOf(row: SourceRow): McpStatus {
  if (row.lastError) return "error";
  if (row.lastConnectedAt) return "connected";
  return row.lastSyncedAt ? "idle" : "never_connected";
}

/** New settings: what was known about the old ones says nothing about the new (the next contact tells). */
const STATUS_RESET = { lastError: null, lastErrorAt: null, lastConnectedAt: null, transport: null };

const TRANSPORTS = new Set<McpSourceView["transport"]>(["stdio", "streamable_http", "sse"]);

function toView(row: SourceRow, pool: McpPool): McpSourceView {
  const stored = storedConfig(row);
  return {
    id: row.id,
    name: row.name,
    toolPrefix: stored.toolPrefix,
    // Secret references are names only, so the config is safe to show as is.
    config: stored.server,
    status: statusOf(row),
    liveHere: pool.isConnected(row.id),
    transport: TRANSPORTS.has(row.transport as McpSourceView["transport"]) ? (row.transport as McpSourceView["transport"]) : null,
    lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
    lastConnectedAt: row.lastConnectedAt?.toISOString() ?? null,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    tools: [...row.tools].sort((a, b) => a.name.localeCompare(b.name)).map(toolView),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function findRow(db: Db, member: Member, id: string): Promise<SourceRow> {
  const row = await db.toolSource.findFirst({ where: { id, workspaceId: member.workspaceId, kind: KIND }, include: { tools: true } });
  if (!row) throw notFound("MCP server");
  return row;
}

function conflictOnName(error: unknown, name: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new ServiceError("conflict", `A tool source named "${name}" already exists in this workspace.`);
  }
  throw error;
}

export async function listMcpSources(member: Member, deps: McpServiceDeps = {}): Promise<McpSourceView[]> {
  requireDeveloper(member);
  const db = deps.db ?? defaultDb();
  const rows = await db.toolSource.findMany({ where: { workspaceId: member.workspaceId, kind: KIND }, include: { tools: true }, orderBy: { name: "asc" } });
  const pool = deps.pool ?? mcpPool();
  return rows.map((row) => toView(row, pool));
}

export async function getMcpSource(member: Member, id: string, deps: McpServiceDeps = {}): Promise<McpSourceView> {
  requireDeveloper(member);
  return toView(await findRow(deps.db ?? defaultDb(), member, id), deps.pool ?? mcpPool());
}

/** The operator's stdio servers a developer may pick (ids, labels, variable names). */
export function getMcpStdioOptions(member: Member, deps: McpServiceDeps = {}): McpStdioOptions {
  requireDeveloper(member);
  return stdioOptions(deps.stdio ?? stdioCatalogue());
}

/** Stores the server's settings. Nothing is started or contacted. */
export async function createMcpSource(member: Member, input: CreateMcpSourceInput, deps: McpServiceDeps = {}): Promise<McpSourceView> {
  requireDeveloper(member);
  const data = parse(CreateMcpSourceSchema, input);
  requireAllowedStdio(data.config, data.name, deps);
  const db = deps.db ?? defaultDb();
  const config: StoredMcpConfig = { server: data.config, toolPrefix: data.toolPrefix ?? defaultToolPrefix(data.name) };
  await assertMayReferenceSecrets(db, member, config);
  await requireSamplingModel(db, member.workspaceId, data.config);
  const row = await db.toolSource
    .create({
      data: { workspaceId: member.workspaceId, kind: KIND, name: data.name, config: config as unknown as Prisma.InputJsonValue, createdById: member.userId },
      include: { tools: true },
    })
    .catch((error: unknown) => conflictOnName(error, data.name));
  await auditToolSource(member, "tool_source.created", null, row);
  return toView(row, deps.pool ?? mcpPool());
}

/** Changes name or settings; a running server of the old settings is closed (the next call starts the new one). */
export async function updateMcpSource(member: Member, id: string, input: UpdateMcpSourceInput, deps: McpServiceDeps = {}): Promise<McpSourceView> {
  requireDeveloper(member);
  const data = parse(UpdateMcpSourceSchema, input);
  const db = deps.db ?? defaultDb();
  const row = await findRow(db, member, id);
  requireAllowedStdio(data.config, data.name ?? row.name, deps);
  const stored = storedConfig(row);
  const config: StoredMcpConfig = { ...stored, server: data.config ?? stored.server };
  await assertMayReferenceSecrets(db, member, config, stored);
  await requireSamplingModel(db, member.workspaceId, data.config);
  await db.toolSource
    .update({
      where: { id: row.id },
      data: { ...(data.name ? { name: data.name } : {}), ...(data.config ? { config: config as unknown as Prisma.InputJsonValue, ...STATUS_RESET } : {}) },
    })
    .catch((error: unknown) => conflictOnName(error, data.name ?? row.name));
  const pool = deps.pool ?? mcpPool();
  if (data.config) await pool.closeSource(row.id);
  const updated = await findRow(db, member, id);
  await auditToolSource(member, "tool_source.updated", row, updated);
  return toView(updated, pool);
}

/**
 * The per-tool setting "require approval before each call" (developer role and up). Meant for
 * tools the server marks destructive, allowed on any. Kept across refreshes.
 */
export async function updateMcpTool(member: Member, sourceId: string, toolId: string, input: UpdateMcpToolInput, deps: McpServiceDeps = {}): Promise<McpToolView> {
  requireDeveloper(member);
  const data = parse(UpdateMcpToolSchema, input);
  const db = deps.db ?? defaultDb();
  const row = await findRow(db, member, sourceId);
  const tool = row.tools.find((t) => t.id === toolId);
  const config = McpToolConfigSchema.safeParse(tool?.config);
  if (!tool || !config.success) throw notFound("MCP tool");
  const next: McpToolConfig = { ...config.data, requireApproval: data.requireApproval };
  const updated = await db.tool.update({ where: { id: tool.id }, data: { config: next as Prisma.InputJsonValue, version: { increment: 1 } } });
  await recordMemberAction(member, "tool.updated", { type: "tool", id: tool.id, label: tool.name }, { metadata: { requireApproval: data.requireApproval } });
  return toolView(updated);
}

/** Deletes the source and its cached tools (cascade) and stops its server in this process. */
export async function deleteMcpSource(member: Member, id: string, deps: McpServiceDeps = {}): Promise<void> {
  requireDeveloper(member);
  const db = deps.db ?? defaultDb();
  const row = await findRow(db, member, id);
  const { count } = await db.toolSource.deleteMany({ where: { id, workspaceId: member.workspaceId, kind: KIND } });
  if (count === 0) throw notFound("MCP server");
  await auditToolSource(member, "tool_source.deleted", row, null);
  await (deps.pool ?? mcpPool()).closeSource(id);
}

interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: unknown;
  execution?: { taskSupport?: string };
}

/** The annotations Weft keeps (unknown keys and wrong types dropped): title and the four hints. */
function annotationsOf(tool: ListedTool): McpToolAnnotations | undefined {
  const parsed = McpToolAnnotationsSchema.safeParse(tool.annotations ?? {});
  const kept = parsed.success ? Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) : {};
  return Object.keys(kept).length ? (kept as McpToolAnnotations) : undefined;
}

/** A tool only callable as a task (`execution.taskSupport: "required"`) cannot run through Weft's plain tools/call. */
const TASK_ONLY = "It requires task-based execution (execution.taskSupport \"required\"), which Weft's MCP client does not offer.";

const MAX_TOOLS = 500;

/**
 * Connect / Refresh tools: (re)starts the server with the current settings and secrets, lists
 * its tools (every page of `tools/list`), and caches them as `Tool` rows: new ones created,
 * changed ones updated (version bumped), vanished ones deleted. A tool whose registry name is
 * taken by a tool of another source is skipped and reported. Failures are returned (and kept in
 * `lastError`) rather than thrown, so the page can show the server's own message.
 */
export async function syncMcpSource(member: Member, id: string, deps: McpServiceDeps = {}): Promise<McpSyncResult> {
  requireDeveloper(member);
  const db = deps.db ?? defaultDb();
  const pool = deps.pool ?? mcpPool();
  const row = await findRow(db, member, id);
  const { server, toolPrefix } = storedConfig(row);
  const started = performance.now();
  // A refresh means "with what is configured now": new secrets, a fixed command.
  await pool.closeSource(row.id);

  let listed: ListedTool[];
  let secrets: string[] = [];
  try {
    listed = await pool.use(
      poolKey(row, server),
      () => startSource(db, row, server, deps),
      async (connection) => {
        secrets = connection.secrets;
        const tools: ListedTool[] = [];
        let cursor: string | undefined;
        do {
          const page = await connection.client.listTools(cursor ? { cursor } : {}, { timeout: deps.listTimeoutMs ?? 30_000 });
          tools.push(...(page.tools as ListedTool[]));
          cursor = page.nextCursor;
        } while (cursor && tools.length < MAX_TOOLS);
        return tools.slice(0, MAX_TOOLS);
      },
    );
  } catch (error) {
    const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
    await markFailed(db, row.id, message);
    return { ok: false, message, tools: [], skipped: [], removed: 0, durationMs: Math.round(performance.now() - started) };
  }

  const skipped: McpSyncResult["skipped"] = [];
  const removed = await db.$transaction(async (tx) => {
    const existing = await tx.tool.findMany({ where: { workspaceId: member.workspaceId, OR: [{ sourceId: row.id }, { name: { in: listed.map((t) => registryToolName(toolPrefix, t.name)) } }] } });
    const ours = new Map(existing.filter((t) => t.sourceId === row.id).map((t) => [t.name, t]));
    const taken = new Map(existing.filter((t) => t.sourceId !== row.id).map((t) => [t.name, t]));
    const keep = new Set<string>();
    for (const tool of listed) {
      const name = registryToolName(toolPrefix, tool.name);
      if (taken.has(name)) {
        skipped.push({ toolName: tool.name, reason: `The name ${name} is already used by another tool of this workspace.` });
        continue;
      }
      if (tool.execution?.taskSupport === "required") {
        skipped.push({ toolName: tool.name, reason: TASK_ONLY });
        continue;
      }
      if (keep.has(name)) {
        skipped.push({ toolName: tool.name, reason: `Its name becomes ${name}, the same as another tool of this server.` });
        continue;
      }
      keep.add(name);
      const current = ours.get(name);
      const previous = McpToolConfigSchema.safeParse(current?.config);
      const annotations = annotationsOf(tool);
      const config: McpToolConfig = {
        toolName: tool.name,
        ...(annotations ? { annotations } : {}),
        // The developer's setting survives a refresh.
        ...(previous.success && previous.data.requireApproval ? { requireApproval: true } : {}),
      };
      const data = {
        description: (tool.description ?? "").slice(0, 4_000),
        inputSchema: (tool.inputSchema ?? { type: "object" }) as Prisma.InputJsonValue,
        outputSchema: tool.outputSchema ? (tool.outputSchema as Prisma.InputJsonValue) : Prisma.DbNull,
        config: config as Prisma.InputJsonValue,
      };
      if (!current) {
        await tx.tool.create({ data: { workspaceId: member.workspaceId, kind: KIND, name, sourceId: row.id, ownerId: member.userId, ...data } });
      } else {
        const changed =
          current.description !== data.description ||
          JSON.stringify(current.inputSchema) !== JSON.stringify(data.inputSchema) ||
          JSON.stringify(current.outputSchema ?? null) !== JSON.stringify(tool.outputSchema ?? null) ||
          JSON.stringify(current.config) !== JSON.stringify(data.config);
        if (changed) await tx.tool.update({ where: { id: current.id }, data: { ...data, version: { increment: 1 } } });
      }
    }
    const gone = [...ours.values()].filter((t) => !keep.has(t.name)).map((t) => t.id);
    if (gone.length) await tx.tool.deleteMany({ where: { id: { in: gone } } });
    await tx.toolSource.update({ where: { id: row.id }, data: { lastSyncedAt: new Date(), lastError: null } });
    return gone.length;
  });

  const view = toView(await findRow(db, member, id), pool);
  await recordMemberAction(member, "tool_source.synced", { type: "tool_source", id: row.id, label: row.name }, { metadata: { tools: view.tools.length, removed } });
  const durationMs = Math.round(performance.now() - started);
  const skippedNote = skipped.length ? `; ${skipped.length} skipped` : "";
  return {
    ok: true,
    message: `Connected: ${view.tools.length} tool${view.tools.length === 1 ? "" : "s"} cached in ${durationMs} ms${skippedNote}.`,
    tools: view.tools,
    skipped,
    removed,
    durationMs,
  };
}
