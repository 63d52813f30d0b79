import { ROLES, hasRole, type Member, type Role } from "@/lib/auth/member";
import type { Db } from "@/lib/db/client";
import { forbidden } from "@/lib/services/errors";
import { secretNamesIn } from "./refs";

/**
 * Save-time side of a secret's role restriction: a member may not add a reference to a secret
 * restricted above their role (a workflow node, a tool's config, a tool source's auth). The worker
 * checks again when the run resolves it (lib/secrets/resolver.ts), against the run's initiator.
 */

const asRole = (value: string | null): Role | null => ((ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : null);

/**
 * Throws forbidden naming each secret `next` references (and `previous` did not) that is
 * restricted above `member`'s role. References kept from what was saved before stay allowed, so
 * an editor can still edit other parts of a workflow an admin wired a restricted secret into.
 */
export async function assertMayReferenceSecrets(db: Db, member: Member, next: unknown, previous?: unknown): Promise<void> {
  const before = new Set(previous === undefined ? [] : secretNamesIn(previous));
  const added = secretNamesIn(next).filter((name) => !before.has(name));
  if (added.length === 0) return;
  const rows = await db.secret.findMany({ where: { workspaceId: member.workspaceId, name: { in: added } }, select: { name: true, minRole: true } });
  const above = rows.filter((row) => {
    const minimum = asRole(row.minRole);
    return minimum !== null && !hasRole(member.role, minimum);
  });
  if (above.length === 0) return;
  const list = above.map((row) => `${row.name} (${row.minRole} or higher)`).join(", ");
  throw forbidden(`You cannot use ${above.length === 1 ? "the secret" : "the secrets"} ${list}: your role is ${member.role}. Ask someone with that role, or pick another secret.`);
}
