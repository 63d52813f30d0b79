import { z } from "zod";
import type { Member, Role } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/services/errors";

export const SwitchWorkspaceSchema = z.object({ workspaceId: z.string().uuid("workspaceId must be a workspace id") });

/** The workspace to switch to, when the caller belongs to it (404 otherwise, as for any other workspace's id). */
export async function switchTarget(member: Member, input: z.input<typeof SwitchWorkspaceSchema>): Promise<{ workspaceId: string; workspaceName: string; role: Role }> {
  requirePermission(member, "membership.own");
  const { workspaceId } = SwitchWorkspaceSchema.parse(input);
  const membership = await db().membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId: member.userId } },
    select: { role: true, workspace: { select: { name: true } } },
  });
  if (!membership) throw notFound("Workspace");
  return { workspaceId, workspaceName: membership.workspace.name, role: membership.role };
}
