import { Readable } from "node:stream";
import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { recordMemberAction } from "@/lib/audit/member-action";
import { db as defaultDb } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/services/errors";
import { storage as defaultStorage } from "@/lib/storage";
import { addDocument, addUrlSource, deleteDocument, type NewDocument, replaceDocumentFile } from "./documents";
import { MetadataFilterSchema } from "./filter";
import { knowledgeEvents } from "./progress";
import { completeReindexIfDone } from "./reindex";
import { getKnowledgeBase, type KnowledgeDeps } from "./service";

/** Documents of a knowledge base of the member's workspace. */

export const DocumentNameSchema = z.string().trim().min(1, "The document name is empty.").max(255);

export const AddTextDocumentSchema = z
  .object({
    name: DocumentNameSchema,
    text: z.string().min(1, "The text is empty.").max(1_000_000),
    format: z.enum(["markdown", "text"]).default("markdown"),
    metadata: MetadataFilterSchema.optional(),
  })
  .strict();

export const AddUrlDocumentSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2_000)
      .url("The URL is not valid.")
      .refine((value) => /^https?:\/\//i.test(value), "Only http and https URLs can be fetched."),
    name: DocumentNameSchema.optional(),
    metadata: MetadataFilterSchema.optional(),
  })
  .strict();

/** A JSON body for adding a document: pasted text, or a URL to fetch. */
export const AddDocumentJsonSchema = z.union([AddTextDocumentSchema, AddUrlDocumentSchema]);

const DOCUMENT_SELECT = {
  id: true,
  name: true,
  sourceKind: true,
  sourceUrl: true,
  mimeType: true,
  sizeBytes: true,
  status: true,
  chunksTotal: true,
  chunksDone: true,
  error: true,
  metadata: true,
  embeddingTokens: true,
  cost: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Documents added and deleted, in the audit log (name, type and size; never their text). */
function auditDocument(member: Member, action: string, knowledgeBaseId: string, doc: { id: string; name: string; mimeType: string; sizeBytes: number }) {
  return recordMemberAction(member, action, { type: "knowledge_document", id: doc.id, label: doc.name }, { metadata: { knowledgeBaseId, name: doc.name, mimeType: doc.mimeType, sizeBytes: doc.sizeBytes } });
}

const depsOf = (deps: KnowledgeDeps) => ({ db: deps.db ?? defaultDb(), storage: deps.storage ?? defaultStorage(), progress: deps.progress ?? knowledgeEvents() });

export async function listDocuments(member: Member, knowledgeBaseId: string, deps: KnowledgeDeps = {}) {
  await getKnowledgeBase(member, knowledgeBaseId, deps);
  return depsOf(deps).db.knowledgeDocument.findMany({ where: { knowledgeBaseId }, orderBy: { createdAt: "desc" }, select: DOCUMENT_SELECT });
}

/** Streams an uploaded file to storage and queues it; a refused file comes back as a failed document with the reason. */
export async function uploadDocument(member: Member, knowledgeBaseId: string, input: Omit<NewDocument, "sourceKind">, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  await getKnowledgeBase(member, knowledgeBaseId, deps);
  const doc = await addDocument(depsOf(deps), knowledgeBaseId, { ...input, sourceKind: "file" });
  await auditDocument(member, "knowledge_document.added", knowledgeBaseId, doc);
  return depsOf(deps).db.knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id }, select: DOCUMENT_SELECT });
}

/**
 * A new version of a document's file (same document, same tags): stored over the old one and
 * ingested again; chunks whose text is unchanged keep their embeddings (by content hash), so only
 * changed chunks are sent to the model. The old chunks serve until the new ones are swapped in.
 */
export async function reuploadDocument(member: Member, knowledgeBaseId: string, documentId: string, body: NewDocument["body"], deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  const doc = await getDocument(member, knowledgeBaseId, documentId, deps);
  if (doc.sourceKind === "url") throw new ServiceError("conflict", "A URL document is fetched again by re-indexing; it has no file to replace.");
  await replaceDocumentFile(depsOf(deps), knowledgeBaseId, documentId, body);
  await auditDocument(member, "knowledge_document.replaced", knowledgeBaseId, await getDocument(member, knowledgeBaseId, documentId, deps));
  return getDocument(member, knowledgeBaseId, documentId, deps);
}

/** Pasted text, stored and ingested like a file (Markdown by default, so headings make sections). */
export async function addTextDocument(member: Member, knowledgeBaseId: string, input: z.infer<typeof AddTextDocumentSchema>, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  await getKnowledgeBase(member, knowledgeBaseId, deps);
  const mimeType = input.format === "markdown" ? "text/markdown" : "text/plain";
  const doc = await addDocument(depsOf(deps), knowledgeBaseId, {
    name: input.name,
    mimeType,
    sourceKind: "text",
    body: Readable.from([Buffer.from(input.text, "utf8")]),
    metadata: input.metadata,
  });
  await auditDocument(member, "knowledge_document.added", knowledgeBaseId, doc);
  return depsOf(deps).db.knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id }, select: DOCUMENT_SELECT });
}

/**
 * A web page or file to fetch: the worker fetches it through the workspace's SSRF guard (so the
 * allow-list applies at fetch time, redirects included) and stores it before parsing (lib/knowledge/fetch-url.ts).
 */
export async function addUrlDocument(member: Member, knowledgeBaseId: string, input: z.infer<typeof AddUrlDocumentSchema>, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  await getKnowledgeBase(member, knowledgeBaseId, deps);
  const doc = await addUrlSource(depsOf(deps), knowledgeBaseId, { url: input.url, name: input.name ?? nameOfUrl(input.url), metadata: input.metadata });
  await auditDocument(member, "knowledge_document.added", knowledgeBaseId, doc);
  return depsOf(deps).db.knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id }, select: DOCUMENT_SELECT });
}

/** A readable default name: host and path, without the query. */
function nameOfUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`.slice(0, 255);
}

export async function getDocument(member: Member, knowledgeBaseId: string, documentId: string, deps: KnowledgeDeps = {}) {
  await getKnowledgeBase(member, knowledgeBaseId, deps);
  const doc = await depsOf(deps).db.knowledgeDocument.findFirst({ where: { id: documentId, knowledgeBaseId }, select: DOCUMENT_SELECT });
  if (!doc) throw notFound("Document");
  return doc;
}

export const UpdateDocumentSchema = z.object({ name: DocumentNameSchema.optional(), metadata: MetadataFilterSchema.optional() }).strict();

/**
 * Renames a document or replaces its tags. Retrieval's metadata filter reads the document's tags
 * at query time (lib/knowledge/filter.ts), so new tags filter at once, without re-indexing.
 */
export async function updateDocument(member: Member, knowledgeBaseId: string, documentId: string, input: z.infer<typeof UpdateDocumentSchema>, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  await getDocument(member, knowledgeBaseId, documentId, deps);
  const updated = await depsOf(deps).db.knowledgeDocument.update({ where: { id: documentId }, data: input, select: DOCUMENT_SELECT });
  await auditDocument(member, "knowledge_document.updated", knowledgeBaseId, updated);
  return updated;
}

/** Deletes a document: its chunks leave retrieval at once. */
export async function removeDocument(member: Member, knowledgeBaseId: string, documentId: string, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.edit");
  const doc = await getDocument(member, knowledgeBaseId, documentId, deps);
  await deleteDocument(depsOf(deps), documentId);
  await auditDocument(member, "knowledge_document.deleted", knowledgeBaseId, doc);
  // It may have been the last document a re-index was waiting for.
  await completeReindexIfDone(depsOf(deps).db, knowledgeBaseId);
}
