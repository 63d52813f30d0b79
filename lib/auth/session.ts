import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Member } from "@/lib/auth/member";
import { can, type Action } from "@/lib/auth/permissions";
import { resolveMember } from "@/lib/auth/resolve";

/**
 * The signed-in member for the current request (server components, route handlers, server
 * actions), or null when signed out. Memoised per request: layouts and pages share one lookup.
 */
export const getMember = cache(async (): Promise<Member | null> => {
  return resolveMember(await headers());
});

/** Path + query of the current request, when the proxy/Next passed it along; for ?next=. */
async function currentPath(): Promise<string | null> {
  const h = await headers();
  const candidate = h.get("x-weft-pathname") ?? h.get("next-url");
  return candidate && candidate.startsWith("/") ? candidate : null;
}

/**
 * For pages and layouts: the member, or a redirect to sign-in (signed out) or to the workflow
 * list with `?denied=1` (the permission table does not let their role take `action`). Every
 * member may take the default, `workflow.read` (the studio's own pages).
 */
export async function requireMember(action: Action = "workflow.read"): Promise<Member> {
  const member = await getMember();
  if (!member) {
    const next = await currentPath();
    redirect(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
  }
  if (!can(member.role, action)) redirect("/workflows?denied=1");
  return member;
}
