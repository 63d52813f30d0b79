import { z } from "zod";
import type { RequestFacts } from "@/lib/audit/request-facts";
import { ROLES, type Member, type Role } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError, notFound } from "@/lib/services/errors";
import { auditMembership } from "./audit";
import { requireRoleWithinReach } from "./roles";

export const ChangeRoleSchema = z.object({ role: z.enum(ROLES) });
export const LeaveWorkspaceSchema = z.object({
  /** The workspace being left, named explicitly so a stale workspace cookie never leaves the wrong one. */
  workspaceId: z.string().uuid("workspaceId must be the id of the workspace you are leaving"),
});

export interface MemberView {
  /** The membership id (what /api/members/[id] takes). */
  id: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: Date;
}

type Tx = Prisma.TransactionClient;

const LAST_OWNER_MESSAGE = "A workspace always keeps at least one owner: make someone else an owner first.";
/** `who` null: the caller themselves. */
const lastOwner = (who: string | null) =>
  new ServiceError("conflict", `${who === null ? "You are" : `${who} is`} the workspace's last owner. ${LAST_OWNER_MESSAGE}`, { reason: "last_owner" });

export async function listMembers(member: Member): Promise<MemberView[]> {
  requirePermission(member, "member.read");
  const rows = await db().membership.findMany({
    where: { workspaceId: member.workspaceId },
    orderBy: { createdAt: "asc" },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  return rows.map((row) => ({ id: row.id, userId: row.user.id, name: row.user.name, email: row.user.email, role: row.role, joinedAt: row.createdAt }));
}

/**
 * Runs `work` holding the workspace row's lock, so two owners demoting or removing each other at
 * once cannot both pass the last-owner check.
 */
async function withWorkspaceLocked<T>(workspaceId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM workspaces WHERE id = ${workspaceId} FOR UPDATE`;
    return work(tx);
  });
}

const otherOwners = (tx: Tx, workspaceId: string, membershipId: string) =>
  tx.membership.count({ where: { workspaceId, role: "owner", id: { not: membershipId } } });

async function targetOf(tx: Tx, member: Member, membershipId: string) {
  const target = await tx.membership.findFirst({
    where: { id: membershipId, workspaceId: member.workspaceId },
    select: { id: true, role: true, userId: true, user: { select: { email: true } } },
  });
  if (!target) throw notFound("Member");
  return target;
}

export async function changeMemberRole(member: Member, membershipId: string, input: z.input<typeof ChangeRoleSchema>, facts: RequestFacts): Promise<MemberView> {
  requirePermission(member, "member.manage");
  const { role } = ChangeRoleSchema.parse(input);
  const { before, view } = await withWorkspaceLocked(member.workspaceId, async (tx) => {
    const target = await targetOf(tx, member, membershipId);
    requireRoleWithinReach(member, target.role, "change the role of");
    requireRoleWithinReach(member, role, "make someone");
    if (target.role === "owner" && role !== "owner" && (await otherOwners(tx, member.workspaceId, target.id)) === 0) throw lastOwner(target.user.email);
    const row = await tx.membership.update({
      where: { id: target.id },
      data: { role },
      select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
    });
    return { before: target.role, view: { id: row.id, userId: row.user.id, name: row.user.name, email: row.user.email, role: row.role, joinedAt: row.createdAt } };
  });
  if (before !== role) {
    await auditMembership("member.role_changed", facts, {
      actorUserId: member.userId,
      workspaceId: member.workspaceId,
      targetType: "membership",
      targetId: membershipId,
      metadata: { userId: view.userId, email: view.email, before: { role: before }, after: { role } },
    });
  }
  return view;
}

export async function removeMember(member: Member, membershipId: string, facts: RequestFacts): Promise<void> {
  requirePermission(member, "member.manage");
  const removed = await withWorkspaceLocked(member.workspaceId, async (tx) => {
    const target = await targetOf(tx, member, membershipId);
    requireRoleWithinReach(member, target.role, "remove");
    if (target.role === "owner" && (await otherOwners(tx, member.workspaceId, target.id)) === 0) throw lastOwner(target.user.email);
    await tx.membership.delete({ where: { id: target.id } });
    return target;
  });
  await auditMembership(removed.userId === member.userId ? "member.left" : "member.removed", facts, {
    actorUserId: member.userId,
    workspaceId: member.workspaceId,
    targetType: "membership",
    targetId: membershipId,
    metadata: { userId: removed.userId, email: removed.user.email, before: { role: removed.role }, after: null },
  });
}

/** The caller leaves the workspace they name (which must be their current one). */
export async function leaveWorkspace(member: Member, input: z.input<typeof LeaveWorkspaceSchema>, facts: RequestFacts): Promise<void> {
  requirePermission(member, "membership.own");
  const { workspaceId } = LeaveWorkspaceSchema.parse(input);
  if (workspaceId !== member.workspaceId) {
    throw new ServiceError("invalid_request", "You can only leave the workspace you are in: switch to it first.", { issues: [{ path: "workspaceId", message: "is not your current workspace" }] });
  }
  const left = await withWorkspaceLocked(workspaceId, async (tx) => {
    const own = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId: member.userId } }, select: { id: true, role: true } });
    if (!own) throw notFound("Membership");
    if (own.role === "owner" && (await otherOwners(tx, workspaceId, own.id)) === 0) throw lastOwner(null);
    await tx.membership.delete({ where: { id: own.id } });
    return own;
  });
  await auditMembership("member.left", facts, {
    actorUserId: member.userId,
    workspaceId,
    targetType: "membership",
    targetId: left.id,
    metadata: { userId: member.userId, email: member.email, before: { role: left.role }, after: null },
  });
}
