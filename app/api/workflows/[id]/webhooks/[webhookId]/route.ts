import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateWebhookSchema } from "@/lib/triggers/webhook-schemas";
import { deleteWebhook, updateWebhook } from "@/lib/triggers/webhooks";

type Context = { params: Promise<{ id: string; webhookId: string }> };

/** Renames, enables/disables or changes the mode of a webhook (its URL and secret stay). */
export const PATCH = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateWebhookSchema);
  if (body instanceof Response) return body;
  const { id, webhookId } = await params;
  return NextResponse.json({ webhook: await updateWebhook(member, id, webhookId, body) });
});

/** Deletes a webhook → 204; its URL answers 404 from then on. */
export const DELETE = withMember("workflow.publish", async (_request, member, { params }: Context) => {
  const { id, webhookId } = await params;
  await deleteWebhook(member, id, webhookId);
  return new Response(null, { status: 204 });
});
