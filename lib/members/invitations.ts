import { z } from "zod";
import type { RequestFacts } from "@/lib/audit/request-facts";
import { ROLES, type Member, type Role } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/services/errors";
import { auditMembership } from "./audit";
import { deliverInvitation, type Delivery } from "./invitation-mail";
import { INVITATION_TTL_MS, generateInvitationToken, hashInvitationToken, invitationLink } from "./invitation-token";
import { requireRoleWithinReach } from "./roles";

/** Emails are compared lower-case, as better-auth stores them. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const CreateInvitationSchema = z.object({
  email: z.string().trim().max(320).pipe(z.email("Enter a valid email address")).transform(normalizeEmail),
  role: z.enum(ROLES),
});

export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** What the inviter gets back: the link exists only in this answer (and the mail), never in the database. */
export interface IssuedInvitation {
  invitation: InvitationView;
  link: string;
  delivery: Delivery;
}

interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  invitedBy?: { name: string; email: string } | null;
}

export function statusOf(row: Pick<InvitationRow, "expiresAt" | "acceptedAt" | "revokedAt">, now = new Date()): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

const toView = (row: InvitationRow): InvitationView => ({
  id: row.id,
  email: row.email,
  role: row.role,
  status: statusOf(row),
  invitedBy: row.invitedBy ? row.invitedBy.name || row.invitedBy.email : null,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
});

const INVITATION_FIELDS = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  invitedBy: { select: { name: true, email: true } },
} as const;

/** Invitations not yet accepted or revoked (pending and expired), newest first. */
export async function listInvitations(member: Member): Promise<InvitationView[]> {
  requirePermission(member, "member.invite");
  const rows = await db().invitation.findMany({
    where: { workspaceId: member.workspaceId, acceptedAt: null, revokedAt: null },
    orderBy: { createdAt: "desc" },
    select: INVITATION_FIELDS,
  });
  return rows.map(toView);
}

const freshToken = () => {
  const token = generateInvitationToken();
  return { token, tokenHash: hashInvitationToken(token), expiresAt: new Date(Date.now() + INVITATION_TTL_MS) };
};

export async function createInvitation(member: Member, input: z.input<typeof CreateInvitationSchema>, facts: RequestFacts): Promise<IssuedInvitation> {
  requirePermission(member, "member.invite");
  const { email, role } = CreateInvitationSchema.parse(input);
  requireRoleWithinReach(member, role, "invite");
  const { token, tokenHash, expiresAt } = freshToken();
  const row = await db().$transaction(async (tx) => {
    // One live invitation per email and workspace, even when two admins invite at once.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`weft:invitation:${member.workspaceId}:${email}`}))`;
    const already = await tx.membership.findFirst({ where: { workspaceId: member.workspaceId, user: { email } }, select: { id: true } });
    if (already) throw new ServiceError("conflict", `${email} is already a member of this workspace.`);
    const live = await tx.invitation.findFirst({
      where: { workspaceId: member.workspaceId, email, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (live) throw new ServiceError("conflict", `${email} already has a pending invitation: regenerate its link instead.`, { invitationId: live.id });
    return tx.invitation.create({
      data: { workspaceId: member.workspaceId, email, role, tokenHash, expiresAt, invitedById: member.userId },
      select: INVITATION_FIELDS,
    });
  });
  await auditMembership("member.invited", facts, {
    actorUserId: member.userId,
    workspaceId: member.workspaceId,
    targetType: "invitation",
    targetId: row.id,
    metadata: { email, role, expiresAt: expiresAt.toISOString() },
  });
  return issue(member, row, token);
}

async function issue(member: Member, row: InvitationRow, token: string): Promise<IssuedInvitation> {
  const link = invitationLink(token);
  const delivery = await deliverInvitation({ to: row.email, link, role: row.role, workspaceName: member.workspaceName, inviter: member.name || member.email, expiresAt: row.expiresAt });
  return { invitation: toView(row), link, delivery };
}

async function openInvitation(member: Member, id: string) {
  const row = await db().invitation.findFirst({ where: { id, workspaceId: member.workspaceId }, select: INVITATION_FIELDS });
  if (!row) throw notFound("Invitation");
  requireRoleWithinReach(member, row.role, "manage the invitation of");
  return row;
}

/**
 * A new link (and expiry) for an invitation that was not accepted or revoked: the old link stops
 * working. This is "resend": the link cannot be shown again, only its hash is kept.
 */
export async function regenerateInvitation(member: Member, id: string, facts: RequestFacts): Promise<IssuedInvitation> {
  requirePermission(member, "member.invite");
  const before = await openInvitation(member, id);
  const status = statusOf(before);
  if (status === "accepted" || status === "revoked") throw new ServiceError("conflict", `This invitation was ${status}; invite ${before.email} again instead.`);
  const { token, tokenHash, expiresAt } = freshToken();
  const updated = await db().invitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { tokenHash, expiresAt } });
  if (updated.count === 0) throw new ServiceError("conflict", "This invitation was accepted or revoked meanwhile.");
  await auditMembership("invitation.regenerated", facts, {
    actorUserId: member.userId,
    workspaceId: member.workspaceId,
    targetType: "invitation",
    targetId: id,
    metadata: { email: before.email, role: before.role, before: { expiresAt: before.expiresAt.toISOString() }, after: { expiresAt: expiresAt.toISOString() } },
  });
  return issue(member, { ...before, expiresAt }, token);
}

/** Revoking is permanent and idempotent; an accepted invitation cannot be revoked (remove the member). */
export async function revokeInvitation(member: Member, id: string, facts: RequestFacts): Promise<void> {
  requirePermission(member, "member.invite");
  const row = await openInvitation(member, id);
  if (row.acceptedAt) throw new ServiceError("conflict", `${row.email} already accepted this invitation: remove the member instead.`);
  if (row.revokedAt) return;
  const updated = await db().invitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  if (updated.count === 0) return;
  await auditMembership("invitation.revoked", facts, {
    actorUserId: member.userId,
    workspaceId: member.workspaceId,
    targetType: "invitation",
    targetId: id,
    metadata: { email: row.email, role: row.role, before: { status: statusOf(row) }, after: { status: "revoked" } },
  });
}
