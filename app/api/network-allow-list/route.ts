import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/route";
import { NetworkAllowListSchema } from "@/lib/net/allow-list";
import { getNetworkAllowList, setNetworkAllowList } from "@/lib/net/workspace-allow-list";

/** The workspace's network allow-list (private hosts and networks every outbound request may reach). */
export async function GET(request: Request) {
  const member = await authenticate(request, "viewer");
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ allowList: await getNetworkAllowList(db(), member.workspaceId) }));
}

/** Replaces the allow-list (admin role or higher); every refused entry is named with its reason. */
export async function PUT(request: Request) {
  const member = await authenticate(request, "admin");
  if (member instanceof Response) return member;
  const body = await parseJson(request, NetworkAllowListSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await setNetworkAllowList(db(), member, body)));
}
