import type { DocumentView, KnowledgeBaseView } from "./api";

/** Service rows → the plain views the client components take (dates as ISO text, tags as an object). */

type Dated = { createdAt: Date | string };
const iso = (row: Dated) => (row.createdAt instanceof Date ? row.createdAt.toISOString() : row.createdAt);

export function knowledgeBaseView(kb: Omit<KnowledgeBaseView, "createdAt" | "reindex"> & Dated & { reindex: unknown }): KnowledgeBaseView {
  const { id, name, description, embeddingProviderId, embeddingModel, dimensions, chunkSize, chunkOverlap, splitter, indexGeneration, _count } = kb;
  const reindex = (kb.reindex ?? null) as KnowledgeBaseView["reindex"];
  return { id, name, description, embeddingProviderId, embeddingModel, dimensions, chunkSize, chunkOverlap, splitter, indexGeneration, reindex, _count, createdAt: iso(kb) };
}

export function documentView(doc: Omit<DocumentView, "createdAt" | "error" | "metadata" | "status"> & Dated & { status: string; error: unknown; metadata: unknown }): DocumentView {
  const { id, name, mimeType, sizeBytes, chunksTotal, chunksDone } = doc;
  const metadata = doc.metadata && typeof doc.metadata === "object" && !Array.isArray(doc.metadata) ? (doc.metadata as DocumentView["metadata"]) : {};
  const error = doc.error && typeof doc.error === "object" ? (doc.error as DocumentView["error"]) : null;
  return { id, name, mimeType, sizeBytes, chunksTotal, chunksDone, status: doc.status as DocumentView["status"], error, metadata, createdAt: iso(doc) };
}
