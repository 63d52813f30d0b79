import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { env } from "@/lib/env";

/**
 * The Set-Cookie value that makes `workspaceId` the current workspace (read by memberForUser, which
 * ignores a workspace the user does not belong to, so the cookie grants nothing by itself).
 * `null` clears it (back to the oldest membership).
 */
export function workspaceCookie(workspaceId: string | null): string {
  const secure = new URL(env().BETTER_AUTH_URL).protocol === "https:" ? "; Secure" : "";
  const value = workspaceId ? `${workspaceId}; Max-Age=${60 * 60 * 24 * 365}` : "; Max-Age=0";
  return `${WORKSPACE_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}
