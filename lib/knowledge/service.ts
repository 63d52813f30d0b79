import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { recordMemberAction } from "@/lib/audit/member-action";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError, notFound } from "@/lib/services/errors";
import { storage as defaultStorage } from "@/lib/storage";
import type { KnowledgeEventSink } from "./progress";
import type { FileStorage } from "@/lib/storage/types";
import { createEmbedder } from "./embeddings";
import { KNOWLEDGE_LIMITS } from "./limits";
import { type IndexSettings, sameSettings, settingsOf, startReindex } from "./reindex";
import { SPLITTER_KINDS } from "./split";

/** Knowledge bases of the member's workspace: create, list, read, rename, delete. */

const NameSchema = z.string().trim().min(1, "The name is empty.").max(100);

const EmbeddingChoiceSchema = z.object({ providerId: z.string().uuid(), model: z.string().trim().min(1).max(200) }).strict();

export const CreateKnowledgeBaseSchema = z
  .object({
    name: NameSchema,
    description: z.string().trim().max(2_000).default(""),
    embedding: EmbeddingChoiceSchema,
    chunkSize: z.number().int().min(KNOWLEDGE_LIMITS.minChunkSize).max(KNOWLEDGE_LIMITS.maxChunkSize).default(1000),
    chunkOverlap: z.number().int().min(0).max(KNOWLEDGE_LIMITS.maxChunkSize / 2).default(150),
    splitter: z.enum(SPLITTER_KINDS).default("recursive"),
  })
  .strict()
  .refine((input) => input.chunkOverlap < input.chunkSize / 2, { message: "The overlap must be less than half the chunk size.", path: ["chunkOverlap"] });
export type CreateKnowledgeBaseInput = z.infer<typeof CreateKnowledgeBaseSchema>;

/**
 * A rename, a new description, and/or new index settings: a different embedding model or chunking
 * starts a re-index into a new generation (lib/knowledge/reindex.ts); the old one serves until it is complete.
 */
export const UpdateKnowledgeBaseSchema = z
  .object({
    name: NameSchema.optional(),
    description: z.string().trim().max(2_000).optional(),
    embedding: EmbeddingChoiceSchema.optional(),
    chunkSize: z.number().int().min(KNOWLEDGE_LIMITS.minChunkSize).max(KNOWLEDGE_LIMITS.maxChunkSize).optional(),
    chunkOverlap: z.number().int().min(0).max(KNOWLEDGE_LIMITS.maxChunkSize / 2).optional(),
    splitter: z.enum(SPLITTER_KINDS).optional(),
  })
  .strict();
export type UpdateKnowledgeBaseInput = z.infer<typeof UpdateKnowledgeBaseSchema>;

export interface KnowledgeDeps {
  db?: Db;
  storage?: FileStorage;
  /** Live document events; defaults to the process's publisher (lib/knowledge/progress.ts). */
  progress?: KnowledgeEventSink;
}

const KB_SELECT = {
  id: true,
  name: true,
  description: true,
  embeddingProviderId: true,
  embeddingModel: true,
  dimensions: true,
  chunkSize: true,
  chunkOverlap: true,
  splitter: true,
  indexGeneration: true,
  reindex: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { documents: true } },
} as const;

/**
 * The length of the model's vectors, asked of the model itself with one short text: a knowledge
 * base stores it and refuses vectors of any other length later.
 */
async function probeDimensions(db: Db, member: Member, embedding: CreateKnowledgeBaseInput["embedding"]): Promise<number> {
  try {
    const embedder = await createEmbedder(embedding, { db, workspaceId: member.workspaceId, attempts: 2 });
    const { vectors } = await embedder.embed(["dimension probe"]);
    return vectors[0]!.length;
  } catch (error) {
    if (error instanceof NodeError) {
      const code = error.code === "provider_not_found" ? "invalid_request" : "invalid_input";
      throw new ServiceError(code, `The embedding model cannot be used: ${error.message}`);
    }
    throw error;
  }
}

export async function createKnowledgeBase(member: Member, input: CreateKnowledgeBaseInput, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.manage");
  const db = deps.db ?? defaultDb();
  const dimensions = await probeDimensions(db, member, input.embedding);
  let created;
  try {
    created = await db.knowledgeBase.create({
      data: {
        workspaceId: member.workspaceId,
        name: input.name,
        description: input.description,
        embeddingProviderId: input.embedding.providerId,
        embeddingModel: input.embedding.model,
        dimensions,
        chunkSize: input.chunkSize,
        chunkOverlap: input.chunkOverlap,
        splitter: input.splitter,
      },
      select: KB_SELECT,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new ServiceError("conflict", `A knowledge base named "${input.name}" already exists.`);
    throw error;
  }
  await auditKnowledgeBase(member, "knowledge_base.created", created, { embeddingModel: input.embedding.model, dimensions });
  return created;
}

/** Knowledge-base changes in the audit log (names and settings, never document contents). */
export function auditKnowledgeBase(member: Member, action: string, kb: { id: string; name: string }, metadata: Record<string, string | number> = {}) {
  return recordMemberAction(member, action, { type: "knowledge_base", id: kb.id, label: kb.name }, { metadata: { name: kb.name, ...metadata } });
}

export async function listKnowledgeBases(member: Member, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.read");
  return (deps.db ?? defaultDb()).knowledgeBase.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { name: "asc" }, select: KB_SELECT });
}

export async function getKnowledgeBase(member: Member, id: string, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.read");
  const kb = await (deps.db ?? defaultDb()).knowledgeBase.findFirst({ where: { id, workspaceId: member.workspaceId }, select: KB_SELECT });
  if (!kb) throw notFound("Knowledge base");
  return kb;
}

export async function updateKnowledgeBase(member: Member, id: string, input: UpdateKnowledgeBaseInput, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.manage");
  const db = deps.db ?? defaultDb();
  const kb = await getKnowledgeBase(member, id, deps);
  const { name, description } = input;
  const next = await nextSettings(db, member, kb, input);
  try {
    const updated = await db.knowledgeBase.update({ where: { id }, data: { name, description }, select: KB_SELECT });
    if (!next) {
      await auditKnowledgeBase(member, "knowledge_base.updated", updated);
      return updated;
    }
    const state = await startReindex(db, kb, next);
    await auditKnowledgeBase(member, "knowledge_base.reindex_started", updated, { generation: state.generation, embeddingModel: next.embeddingModel, chunkSize: next.chunkSize, chunkOverlap: next.chunkOverlap, splitter: next.splitter });
    return getKnowledgeBase(member, id, deps);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new ServiceError("conflict", `A knowledge base named "${input.name}" already exists.`);
    throw error;
  }
}

/** The index settings after the change, or null when they stay as they are (or as a re-index under way will make them). */
async function nextSettings(db: Db, member: Member, kb: Parameters<typeof settingsOf>[0], input: UpdateKnowledgeBaseInput): Promise<IndexSettings | null> {
  const current = settingsOf(kb);
  const modelChanged = input.embedding && (input.embedding.providerId !== current.embeddingProviderId || input.embedding.model !== current.embeddingModel);
  const next: IndexSettings = {
    embeddingProviderId: input.embedding?.providerId ?? current.embeddingProviderId,
    embeddingModel: input.embedding?.model ?? current.embeddingModel,
    dimensions: modelChanged ? await probeDimensions(db, member, input.embedding!) : current.dimensions,
    chunkSize: input.chunkSize ?? current.chunkSize,
    chunkOverlap: input.chunkOverlap ?? current.chunkOverlap,
    splitter: input.splitter ?? current.splitter,
  };
  if (next.chunkOverlap >= next.chunkSize / 2) throw new ServiceError("invalid_input", "The overlap must be less than half the chunk size.");
  return sameSettings(current, next) ? null : next;
}

/** Deletes the knowledge base, its documents and chunks (cascade), then its stored files. */
export async function deleteKnowledgeBase(member: Member, id: string, deps: KnowledgeDeps = {}) {
  requirePermission(member, "knowledge.manage");
  const db = deps.db ?? defaultDb();
  const kb = await getKnowledgeBase(member, id, deps);
  const files = await db.knowledgeDocument.findMany({ where: { knowledgeBaseId: id, storageKey: { not: null } }, select: { storageKey: true } });
  await db.knowledgeBase.delete({ where: { id } });
  await auditKnowledgeBase(member, "knowledge_base.deleted", kb, { documents: files.length });
  const store = deps.storage ?? defaultStorage();
  await Promise.all(files.map((file) => store.delete(file.storageKey!)));
}
