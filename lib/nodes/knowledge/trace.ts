import { z } from "zod";
import type { KnowledgeChunk } from "@/lib/engine/ports";

/**
 * What a retrieval records for the run page (Knowledge steps' `detail.retrieval`, Agent knowledge
 * tool calls' `citations`): each chunk's source and score, without its text (the output has it).
 * Isomorphic, so the run page parses the stored detail with the schema the executors write.
 */
export const CitationRecordSchema = z.object({
  citation: z.number(),
  chunkId: z.string(),
  knowledgeBaseId: z.string(),
  documentId: z.string(),
  documentName: z.string(),
  page: z.number().nullable(),
  section: z.string().nullable(),
  score: z.number(),
});
export type CitationRecord = z.infer<typeof CitationRecordSchema>;

export const RetrievalDetailSchema = z.object({
  knowledgeBases: z.array(z.object({ id: z.string(), name: z.string() })),
  mode: z.string(),
  topK: z.number(),
  scoreThreshold: z.number().nullable(),
  citations: z.array(CitationRecordSchema),
  /** The rerank call (model, candidates sent, tokens, cost), when the node reranks. */
  rerank: z
    .object({
      providerId: z.string(),
      model: z.string(),
      candidates: z.number(),
      tokens: z.number(),
      estimated: z.literal(true).optional(),
      searchUnits: z.number().optional(),
      cost: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
});
export type RetrievalDetail = z.infer<typeof RetrievalDetailSchema>;

export const KnowledgeStepDetailSchema = z.object({ retrieval: RetrievalDetailSchema });

export function citationRecords(chunks: readonly KnowledgeChunk[]): CitationRecord[] {
  return chunks.map(({ citation, chunkId, knowledgeBaseId, documentId, documentName, page, section, score }) => ({ citation, chunkId, knowledgeBaseId, documentId, documentName, page, section, score }));
}
