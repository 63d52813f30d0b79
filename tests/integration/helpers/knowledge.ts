import { Readable } from "node:stream";
import { db, poolOf } from "@/lib/db/client";
import { addDocument, type DocumentDeps } from "@/lib/knowledge/documents";
import type { KnowledgeSourceKind } from "@/lib/generated/prisma/client";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { createTestProvider } from "./providers";
import { signUpUser } from "./session";

/** A knowledge base embedded by the OpenAI-wire test server's lexical embeddings (256 dimensions). */
export async function createTestKnowledgeBase(workspaceId: string, serverUrl: string, overrides: { chunkSize?: number; chunkOverlap?: number } = {}) {
  const provider = await createTestProvider(workspaceId, serverUrl, { models: ["test-embedding"] });
  return db().knowledgeBase.create({
    data: {
      workspaceId,
      name: `KB ${Math.random().toString(36).slice(2, 8)}`,
      embeddingProviderId: provider.id,
      embeddingModel: "test-embedding",
      dimensions: 256,
      chunkSize: overrides.chunkSize ?? 400,
      chunkOverlap: overrides.chunkOverlap ?? 40,
    },
  });
}

export function addTestDocument(deps: DocumentDeps, knowledgeBaseId: string, name: string, content: string | Buffer, extra: { mimeType?: string; metadata?: Record<string, string>; sourceKind?: KnowledgeSourceKind } = {}) {
  return addDocument(deps, knowledgeBaseId, {
    name,
    mimeType: extra.mimeType,
    sourceKind: extra.sourceKind ?? "file",
    body: Readable.from([typeof content === "string" ? Buffer.from(content, "utf8") : content]),
    metadata: extra.metadata,
  });
}

/** Polls until every document is indexed or failed. */
export async function waitForDocuments(ids: string[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const docs = await db().knowledgeDocument.findMany({ where: { id: { in: ids } } });
    if (docs.length === ids.length && docs.every((d) => d.status === "indexed" || d.status === "failed")) return new Map(docs.map((d) => [d.id, d]));
    if (Date.now() > deadline) throw new Error(`documents not done: ${docs.map((d) => `${d.name}=${d.status}`).join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface StoredChunk {
  ordinal: number;
  text: string;
  page: number | null;
  section: string | null;
  contentHash: string;
  generation: number;
  hasEmbedding: boolean;
}

export async function chunksOf(documentId: string): Promise<StoredChunk[]> {
  const { rows } = await poolOf(db()).query<StoredChunk>(
    `SELECT ordinal, text, page, section, "contentHash", generation, embedding IS NOT NULL AS "hasEmbedding" FROM knowledge_chunks WHERE "documentId" = $1 ORDER BY generation, ordinal`,
    [documentId],
  );
  return rows;
}

/** An owner, a viewer of the owner's workspace (cookie selects it) and a stranger with a workspace of their own. */
export async function signUpOwnerViewerStranger(label: string) {
  const owner = await signUpUser(`${label} Owner`);
  const strangerCookie = (await signUpUser(`${label} Stranger`)).cookie;
  const viewer = await signUpUser(`${label} Viewer`);
  await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
  return { owner, strangerCookie, viewerCookie: `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}` };
}
