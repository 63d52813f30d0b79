import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { creatorMember } from "./start";

/**
 * A webhook by its public id with the member its runs act as (its creator, with their role now, or
 * null once they left), in one prepared statement: every call of a hook reads this, and through
 * Prisma it was four statements and most of the web's CPU per call (bench/webhook.ts).
 */
const FIND_HOOK = prepared(
  "webhook_by_public_id",
  `SELECT h.id, h.name, h."workspaceId", h."workflowId", h."authMode", h."secretCipher", h."toleranceSeconds", h.mode,
          h."syncTimeoutMs", h.enabled, h."createdById",
          m.role::text AS "creatorRole", u.email AS "creatorEmail", u.name AS "creatorName", w.name AS "workspaceName"
     FROM webhooks h
     JOIN workspaces w ON w.id = h."workspaceId"
     LEFT JOIN memberships m ON m."workspaceId" = h."workspaceId" AND m."userId" = h."createdById"
     LEFT JOIN users u ON u.id = m."userId"
    WHERE h."publicId" = $1`,
);

const HookRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  workspaceId: z.string(),
  workflowId: z.string(),
  authMode: z.string(),
  secretCipher: z.string().nullable(),
  toleranceSeconds: z.number(),
  mode: z.string(),
  syncTimeoutMs: z.number(),
  enabled: z.boolean(),
  createdById: z.string().nullable(),
  creatorRole: z.string().nullable(),
  creatorEmail: z.string().nullable(),
  creatorName: z.string().nullable(),
  workspaceName: z.string(),
});

export type CalledHook = Omit<z.infer<typeof HookRowSchema>, "creatorRole" | "creatorEmail" | "creatorName" | "workspaceName"> & {
  /** The creator's current membership, or null when they left (the hook then does nothing). */
  creator: Member | null;
};

export async function findCalledHook(publicId: string): Promise<CalledHook | null> {
  const { rows } = await poolOf(db()).query(FIND_HOOK([publicId]));
  if (!rows.length) return null;
  const { creatorRole, creatorEmail, creatorName, workspaceName, ...hook } = HookRowSchema.parse(rows[0]);
  const creator =
    hook.createdById && creatorRole && creatorEmail !== null && creatorName !== null
      ? creatorMember({ role: creatorRole, userId: hook.createdById, email: creatorEmail, name: creatorName, workspaceId: hook.workspaceId, workspaceName })
      : null;
  return { ...hook, creator };
}
