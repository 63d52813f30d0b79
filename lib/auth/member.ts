import { z } from "zod";

export const ROLES = ["owner", "admin", "developer", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in caller, resolved to one workspace. Every service call takes one of these. */
export const MemberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  workspaceId: z.string(),
  workspaceName: z.string(),
  role: z.enum(ROLES),
});
export type Member = z.infer<typeof MemberSchema>;

const RANK: Record<Role, number> = { viewer: 0, editor: 1, developer: 2, admin: 3, owner: 4 };

/** Whether `role` is at least `minimum` (owner > admin > developer > editor > viewer). */
export function hasRole(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}
