import { z } from "zod";
import { NO_REQUEST_FACTS, type RequestFacts } from "@/lib/audit/request-facts";
import type { Role } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError, forbidden } from "@/lib/services/errors";
import { auditMembership } from "./audit";
import { hashInvitationToken, looksLikeInvitationToken } from "./invitation-token";
import { normalizeEmail, statusOf, type InvitationStatus } from "./invitations";

/**
 * Accepting an invitation. The link is bound to the invited email: only an account with that
 * email accepts it, so a forwarded or leaked link is useless to anyone else. Under
 * WEFT_SIGNUP=invite, sign-up needs the link too (the token travels with the sign-up request).
 */

export const AcceptInvitationSchema = z.object({ token: z.string().min(1, "token is required").max(128) });

/** What the invitation page shows about a link (never the token or its hash). */
export type InvitationPreview =
  | { status: "invalid" }
  | { status: InvitationStatus; email: string; role: Role; workspaceId: string; workspaceName: string; inviter: string | null; expiresAt: Date };

export interface Joined {
  workspaceId: string;
  workspaceName: string;
  role: Role;
  alreadyMember: boolean;
}

const findByToken = (database: Prisma.TransactionClient, token: string) =>
  database.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    select: {
      id: true,
      email: true,
      role: true,
      workspaceId: true,
      expiresAt: true,
      acceptedAt: true,
      acceptedById: true,
      revokedAt: true,
      workspace: { select: { name: true } },
      invitedBy: { select: { name: true, email: true } },
    },
  });

export async function previewInvitation(token: string): Promise<InvitationPreview> {
  if (!looksLikeInvitationToken(token)) return { status: "invalid" };
  const row = await findByToken(db(), token);
  if (!row) return { status: "invalid" };
  return {
    status: statusOf(row),
    email: row.email,
    role: row.role,
    workspaceId: row.workspaceId,
    workspaceName: row.workspace.name,
    inviter: row.invitedBy ? row.invitedBy.name || row.invitedBy.email : null,
    expiresAt: row.expiresAt,
  };
}

/** The sign-up policy's question: may `email` create an account with this invitation link? */
export async function invitationAllowsSignUp(email: string, token: string | null): Promise<boolean> {
  if (!token || !looksLikeInvitationToken(token)) return false;
  const preview = await previewInvitation(token);
  return preview.status === "pending" && preview.email === normalizeEmail(email);
}

/** "a•••@example.com": tells the wrong account which address the link is for without spelling it out. */
export const maskEmail = (email: string) => email.replace(/^(.)[^@]*/, "$1•••");

const REFUSALS: Record<Exclude<InvitationStatus, "pending" | "accepted">, string> = {
  expired: "This invitation has expired. Ask the person who invited you for a new link.",
  revoked: "This invitation was revoked. Ask a workspace admin if you still need access.",
};

/** Joins the user to the invitation's workspace with its role (once; a second click answers the same). */
export async function acceptInvitation(user: { id: string; email: string }, token: string, facts: RequestFacts = NO_REQUEST_FACTS, via: "link" | "sign_up" = "link"): Promise<Joined> {
  if (!looksLikeInvitationToken(token)) throw new ServiceError("not_found", "This invitation link is not valid. Check that you copied all of it.");
  const outcome = await db().$transaction(async (tx) => {
    const found = await findByToken(tx, token);
    if (!found) throw new ServiceError("not_found", "This invitation link is not valid. Check that you copied all of it.");
    // Lock the row: two tabs accepting at once join once.
    await tx.$queryRaw`SELECT id FROM invitations WHERE id = ${found.id} FOR UPDATE`;
    const row = (await findByToken(tx, token))!;
    const status = statusOf(row);
    if (status === "expired" || status === "revoked") throw new ServiceError("conflict", REFUSALS[status], { reason: status });
    if (normalizeEmail(user.email) !== row.email) throw forbidden(`This invitation is for ${maskEmail(row.email)}. Sign in with that address to accept it.`);
    const joined = (role: Role, alreadyMember: boolean): Joined => ({ workspaceId: row.workspaceId, workspaceName: row.workspace.name, role, alreadyMember });
    const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: row.workspaceId, userId: user.id } }, select: { id: true, role: true } });
    if (status === "accepted" && row.acceptedById === user.id && existing) return { joined: joined(existing.role, true), membershipId: null };
    if (status === "accepted") throw new ServiceError("conflict", "This invitation was already used.");
    await tx.invitation.update({ where: { id: row.id }, data: { acceptedAt: new Date(), acceptedById: user.id } });
    // Already a member (joined another way meanwhile): the invitation is used up, the role they have stays.
    if (existing) return { joined: joined(existing.role, true), membershipId: null };
    const membership = await tx.membership.create({ data: { workspaceId: row.workspaceId, userId: user.id, role: row.role }, select: { id: true } });
    return { joined: joined(row.role, false), membershipId: membership.id, invitationId: row.id };
  });
  if (outcome.membershipId) {
    await auditMembership("member.joined", facts, {
      actorUserId: user.id,
      workspaceId: outcome.joined.workspaceId,
      targetType: "membership",
      targetId: outcome.membershipId,
      metadata: { email: normalizeEmail(user.email), invitationId: outcome.invitationId ?? null, via, before: null, after: { role: outcome.joined.role } },
    });
  }
  return outcome.joined;
}
