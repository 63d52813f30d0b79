import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateWebhookSchema } from "@/lib/triggers/webhook-schemas";
import { createWebhook, listWebhooks } from "@/lib/triggers/webhooks";

type Context = { params: Promise<{ id: string }> };

/** The workflow's webhooks (never their secrets). */
export const GET = withMember("workflow.read", async (_request, member, { params }: Context) => {
  const { id } = await params;
  return NextResponse.json({ webhooks: await listWebhooks(member, id) });
});

/** Creates a webhook → 201 { webhook, secret }: the only answer that ever holds the HMAC secret. */
export const POST = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, CreateWebhookSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await createWebhook(member, id, body), { status: 201, headers: { "Cache-Control": "no-store" } });
});
