import type { RequestFacts } from "@/lib/audit/request-facts";
import { ensurePersonalWorkspace } from "@/lib/auth/workspaces";
import type { Db } from "@/lib/db/client";
import { logger } from "@/lib/log";
import { ServiceError } from "@/lib/services/errors";
import { acceptInvitation } from "./accept";

/** The invitation token a sign-up request carried (the sign-up form sends it from the link). */
export function invitationTokenOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("invitationToken" in body)) return null;
  const token = (body as { invitationToken: unknown }).invitationToken;
  return typeof token === "string" && token.length > 0 ? token : null;
}

/**
 * Where a new account lands. Signed up through an invitation link: in the inviting workspace with
 * the invited role, and nowhere else (no personal workspace, as in Dify; someone who later
 * belongs to no workspace gets one then, from lib/auth/resolve.ts). Otherwise (open sign-up, the
 * first account): a personal workspace as its owner.
 */
export async function placeNewUser(
  user: { id: string; name: string; email: string },
  { invitationToken, facts, database }: { invitationToken: string | null; facts: RequestFacts; database?: Db },
): Promise<void> {
  if (invitationToken) {
    try {
      await acceptInvitation(user, invitationToken, facts, "sign_up");
      return;
    } catch (error) {
      // Revoked or expired between the sign-up check and now, or an open sign-up with a dead link: they still get a workspace.
      if (!(error instanceof ServiceError)) throw error;
      logger.info({ userId: user.id, reason: error.message }, "sign-up invitation not accepted; creating a personal workspace");
    }
  }
  await ensurePersonalWorkspace(user, database);
}
