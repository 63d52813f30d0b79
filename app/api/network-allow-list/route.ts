import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { NetworkAllowListSchema } from "@/lib/net/allow-list";
import { getNetworkAllowList, setNetworkAllowList } from "@/lib/net/workspace-allow-list";

/** The workspace's network allow-list (private hosts and networks every outbound request may reach). */
export const GET = withMember("settings.network.read", async (_request, member) =>
  NextResponse.json({ allowList: await getNetworkAllowList(db(), member.workspaceId) }),
);

/** Replaces the allow-list (admins); every refused entry is named with its reason. */
export const PUT = withMember("settings.network.edit", async (request, member) => {
  const body = await parseJson(request, NetworkAllowListSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await setNetworkAllowList(db(), member, body));
});
