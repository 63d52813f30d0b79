import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { db } from "@/lib/db/client";
import type { OpenAiModel } from "./schemas";
import { unixSeconds } from "./start";

/** Published workflows as OpenAI models: id = slug, created = when the latest version was published. */
export async function listModels(caller: ApiCaller, slug?: string): Promise<OpenAiModel[]> {
  const rows = await db().workflow.findMany({
    where: { workspaceId: caller.workspaceId, versions: { some: {} }, ...(slug !== undefined ? { slug } : {}) },
    orderBy: { slug: "asc" },
    select: { slug: true, versions: { orderBy: { version: "desc" }, take: 1, select: { createdAt: true } } },
  });
  return rows.map((row) => ({ id: row.slug, object: "model", created: unixSeconds(row.versions[0]?.createdAt), owned_by: caller.member.workspaceName }));
}
