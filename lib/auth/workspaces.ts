import { db, type Db } from "@/lib/db/client";
import { MemberSchema, type Member } from "@/lib/auth/member";

/** Cookie that picks the active workspace for a user with several memberships. */
export const WORKSPACE_COOKIE = "weft_workspace";

interface NewUser {
  id: string;
  name: string;
  email: string;
}

function personalWorkspaceName(user: NewUser): string {
  const who = user.name.trim() || user.email.split("@")[0] || "My";
  return `${who}'s workspace`;
}

/**
 * Gives a user with no membership a workspace of their own, as its owner. Idempotent: a user
 * who already belongs to a workspace is left alone, so a retry after a failed sign-up hook is safe.
 */
export async function ensurePersonalWorkspace(user: NewUser, database: Db = db()): Promise<void> {
  await database.$transaction(async (tx) => {
    // Serialise concurrent calls for one user (sign-up hook racing a first page load).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`weft:personal-workspace:${user.id}`}))`;
    const existing = await tx.membership.findFirst({ where: { userId: user.id }, select: { id: true } });
    if (existing) return;
    await tx.workspace.create({
      data: {
        name: personalWorkspaceName(user),
        memberships: { create: { userId: user.id, role: "owner" } },
      },
    });
  });
}

/**
 * The member for a signed-in user: the workspace `preferredWorkspaceId` names when the user
 * belongs to it, else their oldest membership. Null when the user belongs to no workspace.
 */
export async function memberForUser(
  user: NewUser,
  preferredWorkspaceId?: string | null,
): Promise<Member | null> {
  const memberships = await db().membership.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: "asc" },
    select: { role: true, workspace: { select: { id: true, name: true } } },
  });
  const chosen =
    memberships.find((m) => preferredWorkspaceId && m.workspace.id === preferredWorkspaceId) ?? memberships[0];
  if (!chosen) return null;
  return MemberSchema.parse({
    userId: user.id,
    email: user.email,
    name: user.name,
    workspaceId: chosen.workspace.id,
    workspaceName: chosen.workspace.name,
    role: chosen.role,
  });
}

/** Every workspace the user belongs to, oldest first (for a workspace switcher). */
export async function listUserWorkspaces(userId: string) {
  const memberships = await db().membership.findMany({
    where: { userId },
    orderBy: { createdAt: "asc" },
    select: { role: true, workspace: { select: { id: true, name: true } } },
  });
  return memberships.map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role }));
}
