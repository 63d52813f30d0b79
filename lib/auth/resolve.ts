import { parseCookies } from "better-auth/cookies";
import { auth } from "@/lib/auth/auth";
import type { Member } from "@/lib/auth/member";
import { WORKSPACE_COOKIE, ensurePersonalWorkspace, memberForUser } from "@/lib/auth/workspaces";

/**
 * Resolves request headers (session cookie, optional workspace cookie) to a Member, or null when
 * signed out. Free of next/* imports so route helpers and tests can call it with any Headers.
 */
export async function resolveMember(headers: Headers): Promise<Member | null> {
  const session = await auth().api.getSession({ headers });
  if (!session) return null;
  const preferred = parseCookies(headers.get("cookie") ?? "").get(WORKSPACE_COOKIE) ?? null;
  const user = { id: session.user.id, name: session.user.name, email: session.user.email };
  const member = await memberForUser(user, preferred);
  if (member) return member;
  // The sign-up hook failed or the user was created outside sign-up: heal instead of locking them out.
  await ensurePersonalWorkspace(user);
  return memberForUser(user, preferred);
}
