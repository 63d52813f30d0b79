import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { recordMemberAction } from "@/lib/audit/member-action";
import { db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import { conversationOf } from "@/lib/engine/conversation";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError, notFound } from "@/lib/services/errors";
import { AllowedOriginsSchema } from "./embed-contract";

/**
 * Chat apps: a conversational workflow's latest published version behind a hosted chat page
 * (/chat/<slug>) and, for link-access apps with allowed origins, an embeddable widget. One per workflow; the slug is global and random unless the owner picks one.
 * Managed with `workflow.publish` (developers publish what others call), read with `workflow.read`.
 */

export const CHAT_ACCESS = ["members", "link", "domain"] as const;
export type ChatAccess = (typeof CHAT_ACCESS)[number];

const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain such as example.com");

export const ChatSlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, "use 3 to 63 lower-case letters, digits and '-'");

export const ChatAppInputSchema = z
  .object({
    slug: ChatSlugSchema.optional(),
    title: z.string().trim().min(1).max(120),
    welcome: z.string().max(2_000).default(""),
    suggestions: z.array(z.string().trim().min(1).max(200)).max(6).default([]),
    access: z.enum(CHAT_ACCESS).default("members"),
    allowedDomains: z.array(DomainSchema).max(20).default([]),
    /** Websites that may embed the widget (embed-contract.ts); used only while access is "link", kept otherwise. */
    allowedOrigins: AllowedOriginsSchema.default([]),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((app) => app.access !== "domain" || app.allowedDomains.length > 0, { message: "Domain access needs at least one allowed email domain.", path: ["allowedDomains"] });
export type ChatAppInput = z.input<typeof ChatAppInputSchema>;

const VIEW = { id: true, workflowId: true, slug: true, title: true, welcome: true, suggestions: true, access: true, allowedDomains: true, allowedOrigins: true, enabled: true, createdAt: true, updatedAt: true } as const;

export type ChatAppView = Awaited<ReturnType<typeof getChatApp>>;

async function ownWorkflow(member: Member, workflowId: string) {
  const workflow = await db().workflow.findFirst({ where: { id: workflowId, workspaceId: member.workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw notFound("Workflow");
  return workflow;
}

/** The workflow's chat app, or null when it has none. */
export async function getChatApp(member: Member, workflowId: string) {
  requirePermission(member, "workflow.read");
  await ownWorkflow(member, workflowId);
  return db().chatApp.findFirst({ where: { workflowId, workspaceId: member.workspaceId }, select: VIEW });
}

/** Refuses a workflow whose latest published version is not conversational: the chat page could not run it. */
async function assertConversationalVersion(workflowId: string): Promise<void> {
  const version = await db().workflowVersion.findFirst({ where: { workflowId }, orderBy: { version: "desc" }, select: { graph: true } });
  const graph = version ? GraphSchema.safeParse(version.graph) : null;
  if (!graph?.success || !conversationOf(graph.data, nodeRegistry)) {
    throw new ServiceError("conflict", "Publish a version whose Start node is marked conversational before creating its chat app.");
  }
}

/** Creates or updates the workflow's chat app (409 when the slug is taken). */
export async function saveChatApp(member: Member, workflowId: string, input: ChatAppInput) {
  requirePermission(member, "workflow.publish");
  const workflow = await ownWorkflow(member, workflowId);
  const data = ChatAppInputSchema.parse(input);
  await assertConversationalVersion(workflowId);
  const existing = await db().chatApp.findUnique({ where: { workflowId }, select: { id: true, slug: true } });
  const slug = data.slug ?? existing?.slug ?? randomBytes(9).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "x");
  const clash = await db().chatApp.findUnique({ where: { slug }, select: { workflowId: true } });
  if (clash && clash.workflowId !== workflowId) throw new ServiceError("conflict", "This address is taken; choose another.");
  const fields = { ...data, slug, allowedDomains: data.access === "domain" ? data.allowedDomains : [] };
  const saved = await db().chatApp.upsert({
    where: { workflowId },
    create: { ...fields, workflowId, workspaceId: member.workspaceId, createdById: member.userId || null },
    update: fields,
    select: VIEW,
  });
  await recordMemberAction(member, existing ? "chat_app.updated" : "chat_app.created", { type: "workflow", id: workflowId, label: workflow.name }, { metadata: { slug, access: data.access, allowedOrigins: data.allowedOrigins } });
  return saved;
}

export async function deleteChatApp(member: Member, workflowId: string): Promise<void> {
  requirePermission(member, "workflow.publish");
  const workflow = await ownWorkflow(member, workflowId);
  const { count } = await db().chatApp.deleteMany({ where: { workflowId, workspaceId: member.workspaceId } });
  if (count === 0) throw notFound("Chat app");
  await recordMemberAction(member, "chat_app.deleted", { type: "workflow", id: workflowId, label: workflow.name });
}
