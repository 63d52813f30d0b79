import { ApiError, request } from "@/components/settings/api";
import type { RetrievalMode, RetrievalResult } from "@/lib/knowledge/retrieve";

/** Browser-side calls of the Knowledge pages (every failure is an ApiError with the server's message). */

export const DOCUMENT_STATUSES = ["queued", "parsing", "chunking", "embedding", "indexed", "failed"] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export type { RetrievalMode, RetrievalResult };

/** What a knowledge base is indexed with (or, in `reindex`, is being re-indexed with). */
export interface IndexSettingsView {
  embeddingProviderId: string;
  embeddingModel: string;
  dimensions: number;
  chunkSize: number;
  chunkOverlap: number;
  splitter: string;
}

export interface ReindexView extends IndexSettingsView {
  generation: number;
  startedAt: string;
}

export interface KnowledgeBaseView extends IndexSettingsView {
  id: string;
  name: string;
  description: string;
  indexGeneration: number;
  /** A re-index under way: the generation being built and the settings it is built with. */
  reindex: ReindexView | null;
  createdAt: string;
  _count: { documents: number };
}

export interface DocumentView {
  id: string;
  name: string;
  mimeType: string;
  sizeBytes: number;
  status: DocumentStatus;
  chunksTotal: number;
  chunksDone: number;
  error: { code?: string; message?: string } | null;
  metadata: Record<string, string | number | boolean>;
  createdAt: string;
}

export interface NewKnowledgeBase {
  name: string;
  description: string;
  embedding: { providerId: string; model: string };
  chunkSize: number;
  chunkOverlap: number;
  splitter: "recursive" | "markdown";
}

const json = (method: string, body?: unknown): RequestInit => ({ method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const kbPath = (id: string) => `/api/knowledge-bases/${encodeURIComponent(id)}`;

export const listKnowledgeBasesRequest = () => request<{ knowledgeBases: KnowledgeBaseView[] }>("/api/knowledge-bases", json("GET"));
export const createKnowledgeBaseRequest = (body: NewKnowledgeBase) => request<KnowledgeBaseView>("/api/knowledge-bases", json("POST", body));
export const getKnowledgeBaseRequest = (id: string) => request<KnowledgeBaseView>(kbPath(id), json("GET"));
export const updateKnowledgeBaseRequest = (id: string, body: Partial<Omit<NewKnowledgeBase, "name" | "description">> & { name?: string; description?: string }) =>
  request<KnowledgeBaseView>(kbPath(id), json("PATCH", body));
export const deleteKnowledgeBaseRequest = (id: string) => request<void>(kbPath(id), json("DELETE"));
export const listDocumentsRequest = (id: string) => request<{ documents: DocumentView[] }>(`${kbPath(id)}/documents`, json("GET"));
export const addTextRequest = (id: string, body: { name: string; text: string; format: "markdown" | "text"; metadata?: Record<string, string> }) => request<DocumentView>(`${kbPath(id)}/documents/text`, json("POST", body));
export const queryRequest = (id: string, body: { query: string; mode: RetrievalMode; topK: number }) => request<RetrievalResult>(`${kbPath(id)}/query`, json("POST", body));
export const providersRequest = () => request<{ providers: { id: string; name: string; kind: string; models: string[] }[] }>("/api/providers", json("GET"));

export interface ChunkView {
  id: string;
  ordinal: number;
  text: string;
  page: number | null;
  section: string | null;
  tokenCount: number;
  enabled: boolean;
}
export interface ChunkPage {
  chunks: ChunkView[];
  total: number;
  offset: number;
  limit: number;
}

const documentPath = (id: string, documentId: string) => `${kbPath(id)}/documents/${encodeURIComponent(documentId)}`;
const chunkPath = (id: string, documentId: string, chunkId: string) => `${documentPath(id, documentId)}/chunks/${encodeURIComponent(chunkId)}`;

export const listChunksRequest = (id: string, documentId: string, query: { q?: string; offset: number; limit: number }) => {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit), ...(query.q ? { q: query.q } : {}) });
  return request<ChunkPage>(`${documentPath(id, documentId)}/chunks?${params}`, json("GET"));
};
export const updateChunkRequest = (id: string, documentId: string, chunkId: string, body: { text?: string; enabled?: boolean }) => request<ChunkView>(chunkPath(id, documentId, chunkId), json("PATCH", body));
export const deleteChunkRequest = (id: string, documentId: string, chunkId: string) => request<void>(chunkPath(id, documentId, chunkId), json("DELETE"));
export const deleteDocumentRequest = (id: string, documentId: string) => request<void>(documentPath(id, documentId), json("DELETE"));
export const updateDocumentRequest = (id: string, documentId: string, body: { metadata: Record<string, string> }) => request<DocumentView>(documentPath(id, documentId), json("PATCH", body));

/**
 * One file as the raw request body (the route streams it to storage): its name in `?name=`, its
 * type in Content-Type, tags in `?metadata=`. A refused type or size still comes back 201, as a failed document.
 */
export async function uploadFileRequest(id: string, file: File, tags?: Record<string, string>): Promise<DocumentView> {
  const params = new URLSearchParams({ name: file.name, ...(tags ? { metadata: JSON.stringify(tags) } : {}) });
  const url = `${kbPath(id)}/documents?${params}`;
  const response = await fetch(url, { method: "POST", body: file, headers: { "content-type": file.type || "application/octet-stream" } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new ApiError(response.status, body.error?.message ?? `Upload failed (${response.status}).`);
  }
  return (await response.json()) as DocumentView;
}

/** A status the worker will still move on from (the page keeps polling while any document has one). */
export const isUnfinished = (status: DocumentStatus) => status !== "indexed" && status !== "failed";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The demo model's embeddings are word counts: retrieval works, but by words, not meaning. */
export const isLexicalDemoModel = (model: string) => model === "demo-embedding";
