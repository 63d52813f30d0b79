import type { z } from "zod";
import { recordMemberChange } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { readTargets } from "@/lib/models/chat-service";
import type { ModelTarget } from "@/lib/models/model-ref";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import {
  CreateModelAliasSchema,
  type CreateModelAliasInput,
  type ModelAliasView,
  UpdateModelAliasSchema,
  type UpdateModelAliasInput,
} from "./schema";

/** Workspace model aliases (`fast`, `smart`): a name nodes use instead of a model, with an ordered fallback chain. */

const SELECT = { id: true, name: true, description: true, targets: true, createdAt: true, updatedAt: true } as const;
type Row = Prisma.ModelAliasGetPayload<{ select: typeof SELECT }>;

const auditAlias = (member: Member, action: string, before: Row | null, after: Row | null) =>
  recordMemberChange(member, action, "model_alias", { before, after }, { shown: ["name", "description", "targets"] });

function toView(row: Row): ModelAliasView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    targets: readTargets(row.targets),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const requireDeveloper = (member: Member) => requirePermission(member, "provider.manage");

function invalid(issues: { path: string; message: string }[]): never {
  throw new ServiceError("invalid_request", "The model alias settings are invalid.", { issues });
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) invalid(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })));
  return parsed.data;
}

/** Every target must name a provider of this workspace and one of its models. */
async function checkTargets(db: Db, workspaceId: string, targets: ModelTarget[]): Promise<void> {
  const ids = [...new Set(targets.map((t) => t.providerId))];
  const providers = await db.modelProvider.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, name: true, models: true } });
  const byId = new Map(providers.map((p) => [p.id, p]));
  const issues = targets.flatMap((target, index) => {
    const provider = byId.get(target.providerId);
    if (!provider) return [{ path: `targets.${index}.providerId`, message: "This provider does not exist in the workspace." }];
    if (!provider.models.includes(target.model)) return [{ path: `targets.${index}.model`, message: `"${target.model}" is not a model of ${provider.name}.` }];
    return [];
  });
  if (issues.length) invalid(issues);
}

function conflictOnName(error: unknown, name: string | undefined): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new ServiceError("conflict", `A model alias named "${name ?? ""}" already exists in this workspace.`);
  }
  throw error;
}

/** Any member may list: the editor's model picker offers aliases. */
export async function listModelAliases(member: Member, deps: { db?: Db } = {}): Promise<ModelAliasView[]> {
  const rows = await (deps.db ?? defaultDb()).modelAlias.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { name: "asc" }, select: SELECT });
  return rows.map(toView);
}

/** Names only, for the graph validator (unknown alias = problem). */
export async function modelAliasNames(workspaceId: string, deps: { db?: Db } = {}): Promise<Set<string>> {
  const rows = await (deps.db ?? defaultDb()).modelAlias.findMany({ where: { workspaceId }, select: { name: true } });
  return new Set(rows.map((r) => r.name));
}

export async function createModelAlias(member: Member, input: CreateModelAliasInput, deps: { db?: Db } = {}): Promise<ModelAliasView> {
  requireDeveloper(member);
  const data = parse(CreateModelAliasSchema, input);
  const db = deps.db ?? defaultDb();
  await checkTargets(db, member.workspaceId, data.targets);
  const row = await db.modelAlias
    .create({ data: { workspaceId: member.workspaceId, name: data.name, description: data.description, targets: data.targets }, select: SELECT })
    .catch((error: unknown) => conflictOnName(error, data.name));
  await auditAlias(member, "model_alias.created", null, row);
  return toView(row);
}

export async function updateModelAlias(member: Member, id: string, input: UpdateModelAliasInput, deps: { db?: Db } = {}): Promise<ModelAliasView> {
  requireDeveloper(member);
  const data = parse(UpdateModelAliasSchema, input);
  const db = deps.db ?? defaultDb();
  if (data.targets) await checkTargets(db, member.workspaceId, data.targets);
  const before = await db.modelAlias.findFirst({ where: { id, workspaceId: member.workspaceId }, select: SELECT });
  const { count } = await db.modelAlias
    .updateMany({
      where: { id, workspaceId: member.workspaceId },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.targets !== undefined ? { targets: data.targets } : {}),
      },
    })
    .catch((error: unknown) => conflictOnName(error, data.name));
  if (count === 0) throw notFound("Model alias");
  const after = await db.modelAlias.findFirstOrThrow({ where: { id, workspaceId: member.workspaceId }, select: SELECT });
  await auditAlias(member, "model_alias.updated", before, after);
  return toView(after);
}

export async function deleteModelAlias(member: Member, id: string, deps: { db?: Db } = {}): Promise<void> {
  requireDeveloper(member);
  const db = deps.db ?? defaultDb();
  const before = await db.modelAlias.findFirst({ where: { id, workspaceId: member.workspaceId }, select: SELECT });
  const { count } = await db.modelAlias.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (count === 0) throw notFound("Model alias");
  await auditAlias(member, "model_alias.deleted", before, null);
}
