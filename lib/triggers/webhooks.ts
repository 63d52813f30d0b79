import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { encryptSecret } from "@/lib/secrets/crypto";
import { notFound } from "@/lib/services/errors";
import { requirePublished, workflowOf } from "./published";
import { CreateWebhookSchema, UpdateWebhookSchema, type WebhookView } from "./webhook-schemas";

/**
 * Webhooks of a workflow: developers (workflow.publish) create and delete them, viewers list them.
 * The public id (the URL's secret part) and the HMAC secret are 32 random bytes each; the secret is
 * stored encrypted (lib/secrets/crypto.ts) and returned once, by create.
 */

const SELECT = {
  id: true,
  workflowId: true,
  name: true,
  publicId: true,
  authMode: true,
  toleranceSeconds: true,
  mode: true,
  syncTimeoutMs: true,
  enabled: true,
  createdAt: true,
} as const;

type Row = Prisma.WebhookGetPayload<{ select: typeof SELECT }>;

function toView(row: Row): WebhookView {
  return {
    id: row.id,
    workflowId: row.workflowId,
    name: row.name,
    path: `/api/hooks/${row.publicId}`,
    authMode: row.authMode as WebhookView["authMode"],
    toleranceSeconds: row.toleranceSeconds,
    mode: row.mode as WebhookView["mode"],
    syncTimeoutMs: row.syncTimeoutMs,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listWebhooks(member: Member, workflowId: string): Promise<WebhookView[]> {
  requirePermission(member, "workflow.read");
  await workflowOf(member, workflowId);
  const rows = await db().webhook.findMany({ where: { workflowId, workspaceId: member.workspaceId }, orderBy: { createdAt: "asc" }, select: SELECT });
  return rows.map(toView);
}

/** Creates a webhook of a published workflow; `secret` (hmac mode) exists only in this answer. */
export async function createWebhook(
  member: Member,
  workflowId: string,
  input: z.input<typeof CreateWebhookSchema>,
): Promise<{ webhook: WebhookView; secret: string | null }> {
  requirePermission(member, "workflow.publish");
  const data = CreateWebhookSchema.parse(input);
  const workflow = await workflowOf(member, workflowId);
  await requirePublished(member.workspaceId, workflow.id);
  const secret = data.authMode === "hmac" ? `whsec_${randomBytes(32).toString("base64url")}` : null;
  const row = await db().webhook.create({
    data: {
      workspaceId: member.workspaceId,
      workflowId: workflow.id,
      publicId: randomBytes(32).toString("base64url"),
      name: data.name,
      authMode: data.authMode,
      secretCipher: secret ? encryptSecret(secret) : null,
      toleranceSeconds: data.toleranceSeconds,
      mode: data.mode,
      syncTimeoutMs: data.syncTimeoutMs,
      createdById: member.userId,
    },
    select: SELECT,
  });
  await recordMemberAction(member, "webhook.created", { type: "webhook", id: row.id, label: row.name }, { metadata: { workflowId, authMode: row.authMode, mode: row.mode } });
  return { webhook: toView(row), secret };
}

export async function updateWebhook(member: Member, workflowId: string, id: string, input: z.input<typeof UpdateWebhookSchema>): Promise<WebhookView> {
  requirePermission(member, "workflow.publish");
  const data = UpdateWebhookSchema.parse(input);
  const existing = await db().webhook.findFirst({ where: { id, workflowId, workspaceId: member.workspaceId }, select: { id: true } });
  if (!existing) throw notFound("Webhook");
  const row = await db().webhook.update({ where: { id }, data, select: SELECT });
  await recordMemberAction(member, "webhook.updated", { type: "webhook", id, label: row.name }, { metadata: { workflowId, ...data } });
  return toView(row);
}

export async function deleteWebhook(member: Member, workflowId: string, id: string): Promise<void> {
  requirePermission(member, "workflow.publish");
  const existing = await db().webhook.findFirst({ where: { id, workflowId, workspaceId: member.workspaceId }, select: { id: true, name: true } });
  if (!existing) throw notFound("Webhook");
  await db().webhook.delete({ where: { id } });
  await recordMemberAction(member, "webhook.deleted", { type: "webhook", id, label: existing.name }, { metadata: { workflowId } });
}
