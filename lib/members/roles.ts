import { hasRole, type Role } from "@/lib/auth/member";
import { forbidden } from "@/lib/services/errors";

/**
 * Nobody grants, changes or removes above their own role: an admin invites and manages up to
 * admin, only an owner makes, demotes or removes an owner. (member.invite / member.manage in
 * lib/auth/permissions.ts decide who may act at all; this decides on whom.)
 */
export function requireRoleWithinReach(actor: { role: Role }, role: Role, what: string): void {
  if (hasRole(actor.role, role)) return;
  throw forbidden(role === "owner" ? `Only an owner can ${what} an owner.` : `You are ${actor.role}: you cannot ${what} a ${role}.`);
}
