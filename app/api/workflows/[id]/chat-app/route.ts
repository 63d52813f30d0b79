import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { ChatAppInputSchema, deleteChatApp, getChatApp, saveChatApp } from "@/lib/chat/apps";

type Context = { params: Promise<{ id: string }> };

/** The workflow's chat app → { chatApp: { slug, title, access, … } | null }. */
export const GET = withMember("workflow.read", async (_request, member, { params }: Context) => {
  const { id } = await params;
  return NextResponse.json({ chatApp: await getChatApp(member, id) });
});

/** Creates or updates the chat app (the latest published version must be conversational) → { chatApp }. */
export const PUT = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, ChatAppInputSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json({ chatApp: await saveChatApp(member, id, body) });
});

/** Removes the chat app (its conversations go with it) → 204. */
export const DELETE = withMember("workflow.publish", async (_request, member, { params }: Context) => {
  const { id } = await params;
  await deleteChatApp(member, id);
  return new Response(null, { status: 204 });
});
