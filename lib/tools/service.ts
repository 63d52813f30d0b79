import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { assertMayReferenceSecrets } from "@/lib/secrets/policy";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import { declaredInputs } from "@/lib/engine/inputs";
import { Prisma } from "@/lib/generated/prisma/client";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { auditTool } from "./audit";
import { inputSchemaProblems } from "./json-schema";
import {
  CodeToolConfigSchema,
  CreateToolSchema,
  HttpToolConfigSchema,
  UpdateToolSchema,
  WorkflowToolConfigSchema,
  type CreateToolInput,
  type ToolKind,
  type ToolView,
  type UpdateToolInput,
} from "./schema";

/**
 * The tool registry: create, edit (every edit bumps `version`), delete, list, get. Developers and
 * above manage tools; everyone in the workspace may see them (editors pick them in Agent and Tool
 * nodes). Imported (openapi) and server (mcp) tools are edited through their source, except for
 * description and the enabled flag.
 */

const includeRefs = { source: { select: { name: true } } } as const;
type ToolWithSource = Prisma.ToolGetPayload<{ include: typeof includeRefs }>;

const requireDeveloper = (member: Member) => requirePermission(member, "tool.manage");
export function toToolView(row: ToolWithSource, owners: Map<string, string> = new Map()): ToolView {
  return {
    id: row.id,
    kind: row.kind as ToolKind,
    name: row.name,
    description: row.description,
    inputSchema: row.inputSchema as Record<string, unknown>,
    outputSchema: (row.outputSchema as Record<string, unknown> | null) ?? null,
    config: row.config as Record<string, unknown>,
    version: row.version,
    enabled: row.enabled,
    sourceId: row.sourceId,
    sourceName: row.source?.name ?? null,
    ownerId: row.ownerId,
    ownerName: row.ownerId ? (owners.get(row.ownerId) ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function ownerNames(db: Db, rows: { ownerId: string | null }[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.ownerId).filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } });
  return new Map(users.map((u) => [u.id, u.name || u.email]));
}

function checkSchemas(inputSchema: unknown, outputSchema: unknown) {
  const problems = [...inputSchemaProblems(inputSchema)];
  if (outputSchema !== undefined && outputSchema !== null) {
    if (typeof outputSchema !== "object" || Array.isArray(outputSchema)) problems.push("The output schema must be a JSON object.");
  }
  if (problems.length > 0) throw new ServiceError("invalid_request", problems.join(" "), { issues: problems.map((message) => ({ path: "inputSchema", message })) });
}

function duplicateName(error: unknown, name: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new ServiceError("conflict", `A tool named ${name} already exists in this workspace.`);
  }
  throw error;
}

/** A published workflow's Start inputs as a tool input schema. */
export async function workflowInputSchema(db: Db, workspaceId: string, workflowId: string, version?: number): Promise<Record<string, unknown>> {
  const row = await db.workflowVersion.findFirst({
    where: { workflowId, workflow: { workspaceId }, ...(version ? { version } : {}) },
    orderBy: { version: "desc" },
    select: { graph: true },
  });
  if (!row) throw new ServiceError("invalid_request", version ? `The workflow has no published version ${version}.` : "Only published workflows can be tools: publish it first.");
  const graph = GraphSchema.safeParse(row.graph);
  const inputs = graph.success ? (declaredInputs(graph.data, nodeRegistry) ?? []) : [];
  const properties: Record<string, unknown> = {};
  for (const input of inputs) {
    const extra = input as typeof input & { label?: unknown; description?: unknown };
    const description = [extra.label, extra.description].filter((s): s is string => typeof s === "string" && s.length > 0).join(": ");
    properties[input.name] = { type: input.type, ...(description ? { description } : {}) };
  }
  return { type: "object", properties, required: inputs.filter((i) => i.required).map((i) => i.name), additionalProperties: false };
}

export async function listTools(member: Member, db: Db = defaultDb()): Promise<ToolView[]> {
  const rows = await db.tool.findMany({ where: { workspaceId: member.workspaceId }, include: includeRefs, orderBy: { name: "asc" } });
  const owners = await ownerNames(db, rows);
  return rows.map((row) => toToolView(row, owners));
}

export async function getTool(member: Member, id: string, db: Db = defaultDb()): Promise<ToolView> {
  const row = await db.tool.findFirst({ where: { id, workspaceId: member.workspaceId }, include: includeRefs });
  if (!row) throw notFound("Tool");
  return toToolView(row, await ownerNames(db, [row]));
}

export async function createTool(member: Member, input: CreateToolInput, db: Db = defaultDb()): Promise<ToolView> {
  requireDeveloper(member);
  const data = CreateToolSchema.parse(input);
  let inputSchema = data.inputSchema;
  if (data.kind === "workflow") {
    // The Start inputs are the contract; a given schema must not contradict them, so it is derived.
    inputSchema = await workflowInputSchema(db, member.workspaceId, data.config.workflowId, data.config.version);
  }
  checkSchemas(inputSchema, data.outputSchema);
  await assertMayReferenceSecrets(db, member, data.config);
  try {
    const row = await db.tool.create({
      data: {
        workspaceId: member.workspaceId,
        kind: data.kind,
        name: data.name,
        description: data.description,
        enabled: data.enabled,
        inputSchema: inputSchema as Prisma.InputJsonValue,
        outputSchema: data.outputSchema ? (data.outputSchema as Prisma.InputJsonValue) : Prisma.DbNull,
        config: data.config as Prisma.InputJsonValue,
        ownerId: member.userId,
      },
      include: includeRefs,
    });
    await auditTool(member, "tool.created", null, row);
    return toToolView(row, await ownerNames(db, [row]));
  } catch (error) {
    duplicateName(error, data.name);
  }
}

const CONFIG_SCHEMAS = { http: HttpToolConfigSchema, code: CodeToolConfigSchema, workflow: WorkflowToolConfigSchema } as const;

export async function updateTool(member: Member, id: string, input: UpdateToolInput, db: Db = defaultDb()): Promise<ToolView> {
  requireDeveloper(member);
  const data = UpdateToolSchema.parse(input);
  const existing = await db.tool.findFirst({ where: { id, workspaceId: member.workspaceId } });
  if (!existing) throw notFound("Tool");
  const editable = existing.kind === "http" || existing.kind === "code" || existing.kind === "workflow";
  if (!editable && (data.config !== undefined || data.inputSchema !== undefined || data.name !== undefined)) {
    throw new ServiceError("invalid_request", `${existing.kind === "openapi" ? "Imported" : "MCP"} tools change with their source; only the description and enabled flag can be edited here.`);
  }
  let config: unknown = undefined;
  if (data.config !== undefined && editable) {
    const parsed = CONFIG_SCHEMAS[existing.kind as keyof typeof CONFIG_SCHEMAS].safeParse(data.config);
    if (!parsed.success) {
      throw new ServiceError("invalid_request", "The tool's settings are invalid.", {
        issues: parsed.error.issues.map((i) => ({ path: ["config", ...i.path.map(String)].join("."), message: i.message })),
      });
    }
    config = parsed.data;
    await assertMayReferenceSecrets(db, member, config, existing.config);
  }
  let inputSchema: unknown = data.inputSchema;
  if (existing.kind === "workflow" && config !== undefined) {
    const wf = config as { workflowId: string; version?: number };
    inputSchema = await workflowInputSchema(db, member.workspaceId, wf.workflowId, wf.version);
  }
  checkSchemas(inputSchema ?? existing.inputSchema, data.outputSchema);
  try {
    const row = await db.tool.update({
      where: { id },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
        ...(inputSchema !== undefined ? { inputSchema: inputSchema as Prisma.InputJsonValue } : {}),
        ...(data.outputSchema !== undefined ? { outputSchema: data.outputSchema ? (data.outputSchema as Prisma.InputJsonValue) : Prisma.DbNull } : {}),
        ...(config !== undefined ? { config: config as Prisma.InputJsonValue } : {}),
        version: { increment: 1 },
      },
      include: includeRefs,
    });
    await auditTool(member, "tool.updated", existing, row);
    return toToolView(row, await ownerNames(db, [row]));
  } catch (error) {
    duplicateName(error, data.name ?? existing.name);
  }
}

export async function deleteTool(member: Member, id: string, db: Db = defaultDb()): Promise<void> {
  requireDeveloper(member);
  const existing = await db.tool.findFirst({ where: { id, workspaceId: member.workspaceId } });
  const deleted = await db.tool.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (!existing || deleted.count === 0) throw notFound("Tool");
  await auditTool(member, "tool.deleted", existing, null);
}

/** Sources (OpenAPI imports, MCP servers) of the workspace. */
export async function listToolSources(member: Member, db: Db = defaultDb()) {
  const rows = await db.toolSource.findMany({
    where: { workspaceId: member.workspaceId },
    select: { id: true, kind: true, name: true, config: true, lastSyncedAt: true, lastError: true, createdAt: true, updatedAt: true, _count: { select: { tools: true } } },
    orderBy: { name: "asc" },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, toolCount: _count.tools }));
}
