import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError } from "@/lib/services/errors";

/**
 * Reading the audit log of a workspace: its own entries, plus the instance-level sign-in entries
 * (workspaceId null) about its current members, filtered by actor, action, target and date range.
 * The same filter drives the page (its URL), the JSON list and both exports.
 */
const DAY = z.iso.date("Use a date such as 2026-12-04");

export const AuditFilterSchema = z
  .object({
    /** A user id, API key id, or part of the actor's label (email, "API key …"). */
    actor: z.string().trim().max(320).optional(),
    /** An action or its prefix: "workflow" matches every workflow action, "workflow.deleted" one. */
    action: z.string().trim().max(100).optional(),
    /** A target id, type, or part of its name. */
    target: z.string().trim().max(320).optional(),
    /** First day included (UTC). */
    from: DAY.optional(),
    /** Last day included (UTC). */
    to: DAY.optional(),
  })
  .transform((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== "")) as typeof f);
export type AuditFilter = z.output<typeof AuditFilterSchema>;

export const AuditPageSchema = z.object({
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const auditEventSelect = {
  id: true,
  createdAt: true,
  workspaceId: true,
  action: true,
  actorType: true,
  actorUserId: true,
  actorApiKeyId: true,
  actorLabel: true,
  targetType: true,
  targetId: true,
  targetLabel: true,
  ip: true,
  userAgent: true,
  changes: true,
  metadata: true,
} satisfies Prisma.AuditEventSelect;
export type AuditEventRow = Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>;

const contains = (text: string) => ({ contains: text, mode: "insensitive" as const });
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);

/** The entries a workspace's admins may read: its own, and sign-in entries about its members. */
async function scopeOf(member: Member): Promise<Prisma.AuditEventWhereInput> {
  const members = await db().membership.findMany({ where: { workspaceId: member.workspaceId }, select: { userId: true } });
  const userIds = members.map((m) => m.userId);
  return {
    OR: [
      { workspaceId: member.workspaceId },
      { workspaceId: null, action: { startsWith: "auth." }, OR: [{ actorUserId: { in: userIds } }, { targetType: "user", targetId: { in: userIds } }] },
    ],
  };
}

export async function auditWhere(member: Member, filter: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [await scopeOf(member)];
  if (filter.actor) and.push({ OR: [{ actorUserId: filter.actor }, { actorApiKeyId: filter.actor }, { actorLabel: contains(filter.actor) }] });
  if (filter.action) and.push({ action: { startsWith: filter.action } });
  if (filter.target) and.push({ OR: [{ targetId: filter.target }, { targetType: filter.target }, { targetLabel: contains(filter.target) }] });
  if (filter.from) and.push({ createdAt: { gte: new Date(`${filter.from}T00:00:00Z`) } });
  if (filter.to) and.push({ createdAt: { lt: nextDay(filter.to) } });
  return { AND: and };
}

const ORDER = [{ createdAt: "desc" }, { id: "desc" }] satisfies Prisma.AuditEventOrderByWithRelationInput[];

/** One page, newest first; `nextCursor` is the id to pass for the next page (null at the end). */
export async function listAuditEvents(member: Member, filter: AuditFilter, page: z.input<typeof AuditPageSchema> = {}) {
  const { cursor, limit } = AuditPageSchema.parse(page);
  const rows = await db().auditEvent.findMany({
    where: await auditWhere(member, filter),
    orderBy: ORDER,
    take: limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    select: auditEventSelect,
  });
  return { events: rows.slice(0, limit), nextCursor: rows.length > limit ? rows[limit - 1]!.id : null };
}

/** Every matching entry, newest first, read in batches so an export of any size holds one batch in memory. */
export async function* allAuditEvents(member: Member, filter: AuditFilter, batch = 500): AsyncGenerator<AuditEventRow> {
  const where = await auditWhere(member, filter);
  let cursor: string | undefined;
  for (;;) {
    const rows = await db().auditEvent.findMany({ where, orderBy: ORDER, take: batch, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}), select: auditEventSelect });
    yield* rows;
    if (rows.length < batch) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

/** Query-string values validated by `schema`, or a 400 `invalid_request` naming each bad parameter. */
export function parseSearchParams<S extends z.ZodType>(schema: S, params: URLSearchParams): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries([...params.entries()].filter(([, value]) => value !== "")));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
  throw new ServiceError("invalid_request", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
}
