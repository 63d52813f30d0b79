import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { KnowledgePort } from "@/lib/engine/ports";
import { ServiceError } from "@/lib/services/errors";
import { retrieve, type RetrieveDeps } from "./retrieve";

/** Ids that are not knowledge bases of the workspace: deleted, or another workspace's (the same answer for both). */
function missing(ids: string[]): NodeError {
  return new NodeError("knowledge_not_found", `Knowledge base${ids.length === 1 ? "" : "s"} ${ids.join(", ")} not found in this workspace (deleted, or not this workspace's).`);
}

async function describe(db: Db, workspaceId: string, knowledgeBaseIds: string[]) {
  const ids = [...new Set(knowledgeBaseIds)];
  const rows = await db.knowledgeBase.findMany({ where: { id: { in: ids }, workspaceId }, select: { id: true, name: true, description: true } });
  const absent = ids.filter((id) => !rows.some((row) => row.id === id));
  if (absent.length > 0) throw missing(absent);
  // In the order asked for, so tool names and panels stay stable.
  return ids.map((id) => rows.find((row) => row.id === id)!);
}

/**
 * Knowledge bases as a run sees them: always those of the run's workspace (the id comes from the
 * worker, never from a node's config), so another workspace's id is "not found".
 */
export function createKnowledgePort(deps: RetrieveDeps, workspaceId: string): KnowledgePort {
  return {
    describe: (ids) => describe(deps.db, workspaceId, ids),
    async search({ signal, ...request }) {
      // Checked first so that the error names the missing bases (retrieve only says "not found").
      await describe(deps.db, workspaceId, request.knowledgeBaseIds);
      try {
        return await retrieve({ ...deps, signal }, workspaceId, request);
      } catch (error) {
        // Deleted between the check and the search.
        if (error instanceof ServiceError && error.code === "not_found") throw missing(request.knowledgeBaseIds);
        throw error;
      }
    },
  };
}
