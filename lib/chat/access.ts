import { MemberSchema, type Member } from "@/lib/auth/member";
import { memberForUser } from "@/lib/auth/workspaces";
import { notFound } from "@/lib/services/errors";
import { selectChatApp } from "./turn-sql";

/**
 * Who is chatting, decided once per request from the app's access mode:
 * - `members`: signed-in members of the app's workspace;
 * - `domain`: those, and signed-in users whose e-mail domain is allowed;
 * - `link`: anyone; signed-out people are told apart by a visitor id (a cookie the route sets).
 * Every refusal (unknown or disabled slug, not signed in, wrong domain) is the same 404, so the
 * page never tells a stranger that a workflow exists.
 */

export interface ChatUser {
  id: string;
  email: string;
  name: string;
}

export interface ChatCaller {
  app: {
    id: string;
    workspaceId: string;
    workflowId: string;
    slug: string;
    title: string;
    welcome: string;
    suggestions: string[];
    access: string;
    /** The workflow's latest published version when the app was read (null before the first publish): a turn runs it. */
    versionId: string | null;
    workflowName: string | null;
  };
  /** The member a turn's run acts as: the user's own membership, or a viewer-level stand-in for outsiders (no permissions are checked with it). */
  member: Member;
  /** Conversations belong to the signed-in user, else to the visitor. */
  owner: { userId: string } | { visitorId: string };
}

const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** An enabled chat app by slug, with what access decisions need (404 for an unknown or disabled one). */
export async function findChatApp(slug: string) {
  const found = await selectChatApp(slug);
  if (!found || !found.enabled) throw notFound("Chat app");
  const { allowedDomains, allowedOrigins, enabled: _enabled, workspaceName, ...app } = found;
  return { app, allowedDomains, allowedOrigins, workspaceName };
}

export async function resolveChatCaller(slug: string, identity: { user: ChatUser | null; visitorId: string | null }): Promise<ChatCaller> {
  const { app, allowedDomains, workspaceName } = await findChatApp(slug);
  const { user, visitorId } = identity;
  if (user) {
    const membership = await memberForUser(user, app.workspaceId);
    if (membership && membership.workspaceId === app.workspaceId) return { app, member: membership, owner: { userId: user.id } };
    const allowed = app.access === "link" || (app.access === "domain" && allowedDomains.includes(domainOf(user.email)));
    if (!allowed) throw notFound("Chat app");
    return { app, member: outsider(app.workspaceId, workspaceName, user.id, user.email, user.name), owner: { userId: user.id } };
  }
  if (app.access !== "link" || !visitorId) throw notFound("Chat app");
  return visitorCaller(app, workspaceName, visitorId);
}

/** An anonymous visitor of a link-access app: conversations belong to the visitor id. */
export function visitorCaller(app: ChatCaller["app"], workspaceName: string, visitorId: string): ChatCaller {
  return { app, member: outsider(app.workspaceId, workspaceName, "", `visitor ${visitorId.slice(0, 8)}`, "Visitor"), owner: { visitorId } };
}

function outsider(workspaceId: string, workspaceName: string, userId: string, email: string, name: string): Member {
  return MemberSchema.parse({ userId, email, name, workspaceId, workspaceName, role: "viewer" });
}
