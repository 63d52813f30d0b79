import { z } from "zod";
import { apiSchemas } from "@/lib/api/schemas";
import { AddDocumentJsonSchema } from "./document-service";
import { KnowledgeQuerySchema, RETRIEVAL_MODES } from "./retrieve";
import { ReindexStateSchema } from "./reindex";
import { CreateKnowledgeBaseSchema, UpdateKnowledgeBaseSchema } from "./service";

/**
 * The public API's knowledge shapes (/api/v1/knowledge-bases), registered as OpenAPI components.
 * Request bodies are the services' own schemas; responses describe what the services select.
 */

const IsoDate = z.string().meta({ format: "date-time" });
const Tags = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

apiSchemas.add(CreateKnowledgeBaseSchema, { id: "CreateKnowledgeBaseRequest", description: "The embedding model is a provider of the workspace and one of its models; it is asked once for its vector length." });
apiSchemas.add(AddDocumentJsonSchema, { id: "AddDocumentRequest", description: "Pasted text (`name`, `text`, `format`) or a URL the worker fetches through the workspace's network policy." });
apiSchemas.add(KnowledgeQuerySchema, { id: "KnowledgeQueryRequest" });
apiSchemas.add(UpdateKnowledgeBaseSchema, {
  id: "UpdateKnowledgeBaseRequest",
  description: "Every field optional. A different embedding model or chunking starts a re-index into a new generation; the current one serves queries until it is complete.",
});
export const KNOWLEDGE_REQUEST_SCHEMAS = [CreateKnowledgeBaseSchema, UpdateKnowledgeBaseSchema, AddDocumentJsonSchema, KnowledgeQuerySchema] as const;

export const KnowledgeBaseSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    embeddingProviderId: z.string(),
    embeddingModel: z.string(),
    dimensions: z.number().int(),
    chunkSize: z.number().int(),
    chunkOverlap: z.number().int(),
    splitter: z.string(),
    indexGeneration: z.number().int().describe("The generation of chunks that answers queries"),
    reindex: ReindexStateSchema.nullable().describe("A re-index under way: the generation being built and the settings it is built with; null when none"),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    _count: z.object({ documents: z.number().int() }),
  })
  .register(apiSchemas, { id: "KnowledgeBase" });
export type ApiKnowledgeBase = z.infer<typeof KnowledgeBaseSchema>;

export const KnowledgeBaseListSchema = z.object({ knowledgeBases: z.array(KnowledgeBaseSchema) }).register(apiSchemas, { id: "KnowledgeBaseList" });

export const KnowledgeDocumentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    sourceKind: z.enum(["file", "text", "url"]),
    sourceUrl: z.string().nullable(),
    mimeType: z.string(),
    sizeBytes: z.number().int(),
    status: z.enum(["queued", "parsing", "chunking", "embedding", "indexed", "failed"]),
    chunksTotal: z.number().int().describe("Chunks the document makes (known from the chunking stage on)"),
    chunksDone: z.number().int().describe("Chunks embedded so far"),
    error: z.object({ code: z.string(), message: z.string() }).nullable().describe("Why the document failed (unsupported, too_large, empty, corrupt, encrypted, network_blocked, http_error, …)"),
    metadata: Tags,
    embeddingTokens: z.number().int(),
    cost: z.record(z.string(), z.number()).nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .register(apiSchemas, { id: "KnowledgeDocument", description: "A document with its ingestion status: queued → parsing → chunking → embedding → indexed, or failed with an error." });
export type ApiKnowledgeDocument = z.infer<typeof KnowledgeDocumentSchema>;

export const KnowledgeDocumentListSchema = z.object({ documents: z.array(KnowledgeDocumentSchema) }).register(apiSchemas, { id: "KnowledgeDocumentList" });

export const KnowledgeQueryResultSchema = z
  .object({
    mode: z.enum(RETRIEVAL_MODES),
    chunks: z.array(
      z.object({
        chunkId: z.string(),
        knowledgeBaseId: z.string(),
        documentId: z.string(),
        documentName: z.string(),
        text: z.string(),
        score: z.number(),
        page: z.number().int().nullable(),
        section: z.string().nullable(),
        citation: z.number().int().describe("Its number in `context`"),
      }),
    ),
    context: z.string().describe("The chunks as numbered citations ([1], [2], …), ready for a prompt"),
  })
  .register(apiSchemas, { id: "KnowledgeQueryResult" });
export type ApiKnowledgeQueryResult = z.infer<typeof KnowledgeQueryResultSchema>;
