import { randomUUID } from "node:crypto";
import type { Member, Role } from "@/lib/auth/member";
import { db } from "@/lib/db/client";

/** A user with a workspace of their own, written straight to the database. */
export async function createTestMember(role: Role = "owner"): Promise<Member> {
  const suffix = randomUUID().slice(0, 8);
  const user = await db().user.create({ data: { id: randomUUID(), name: `Tester ${suffix}`, email: `tester-${suffix}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: `Workspace ${suffix}` } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role } });
  return { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role };
}
