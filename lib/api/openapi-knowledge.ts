import { KNOWLEDGE_REQUEST_SCHEMAS, KnowledgeBaseListSchema, KnowledgeBaseSchema, KnowledgeDocumentListSchema, KnowledgeDocumentSchema, KnowledgeQueryResultSchema } from "@/lib/knowledge/api-schemas";
import { CreateKnowledgeBaseSchema, UpdateKnowledgeBaseSchema } from "@/lib/knowledge/service";
import { AddDocumentJsonSchema } from "@/lib/knowledge/document-service";
import { KnowledgeQuerySchema } from "@/lib/knowledge/retrieve";
import { KNOWLEDGE_LIMITS } from "@/lib/knowledge/limits";
import { errorResponse, idOf, idParam, json, operation, type OpenApiDocument } from "./openapi";

/** The /api/v1/knowledge-bases paths of the OpenAPI document (lib/api/openapi.ts). */

export const KNOWLEDGE_REQUEST_IDS = () => KNOWLEDGE_REQUEST_SCHEMAS.map(idOf);

const documentParam = { name: "documentId", in: "path" as const, required: true, description: "The document id", schema: { type: "string" } };

const UPLOAD = [
  "Adds one document, queued for ingestion (poll `GET …/documents/{documentId}` for its status and progress counts). Three ways:",
  "the **file as the raw body** (streamed to storage, never held whole) with its name in `?name=`, its type in Content-Type and optional tags in `?metadata=` (a JSON object);",
  "**pasted text** as JSON `{ name, text, format? }`; or a **URL** as JSON `{ url, name?, metadata? }`, which the worker fetches through the workspace's network policy",
  "(private addresses only when on the workspace's network allow-list; redirects checked again) and parses by its Content-Type.",
  `Supported: PDF, DOCX, Markdown, HTML, plain text, CSV, up to ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB.`,
  "A refused document (unsupported type, too large) is still created, as `failed` with the reason, so a batch reports every file; a URL that cannot be fetched fails the same way later (`network_blocked`, `http_error`, `http_unavailable`).",
].join(" ");

/** Built when called: this module and openapi.ts import each other. */
export function knowledgePaths(): OpenApiDocument["paths"] {
  const kbNotFound = errorResponse("No such knowledge base in the key's workspace");
  return {
    "/api/v1/knowledge-bases": {
      get: operation("knowledge:read", {
        operationId: "listKnowledgeBases",
        summary: "List knowledge bases",
        description: "The workspace's knowledge bases with their settings and document counts.",
        tags: ["knowledge"],
        responses: { "200": { description: "The knowledge bases", content: json(KnowledgeBaseListSchema) } },
      }),
      post: operation("knowledge:write", {
        operationId: "createKnowledgeBase",
        summary: "Create a knowledge base",
        description: "Needs a key whose creator is a developer or above. The embedding model is asked once for its vector length, which the knowledge base keeps.",
        tags: ["knowledge"],
        requestBody: { required: true, content: json(CreateKnowledgeBaseSchema) },
        responses: {
          "201": { description: "The new knowledge base", content: json(KnowledgeBaseSchema) },
          "400": errorResponse("Invalid body (invalid_request, with issues), or an embedding model that cannot be used (invalid_input)"),
          "409": errorResponse("A knowledge base with this name exists (conflict)"),
        },
      }),
    },
    "/api/v1/knowledge-bases/{id}": {
      get: operation("knowledge:read", {
        operationId: "getKnowledgeBase",
        summary: "Get a knowledge base",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base")],
        responses: { "200": { description: "The knowledge base", content: json(KnowledgeBaseSchema) }, "404": kbNotFound },
      }),
      patch: operation("knowledge:write", {
        operationId: "updateKnowledgeBase",
        summary: "Change a knowledge base",
        description:
          "Needs a key whose creator is a developer or above. Renames or re-describes it; a different embedding model or chunk settings start a re-index: every document is indexed again into a new generation (`reindex` shows it) while the current one keeps answering queries, then they switch at once and the old chunks are removed. Settings equal to the current ones start nothing.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base")],
        requestBody: { required: true, content: json(UpdateKnowledgeBaseSchema) },
        responses: {
          "200": { description: "The knowledge base (with `reindex` when one started)", content: json(KnowledgeBaseSchema) },
          "400": errorResponse("Invalid body (invalid_request, with issues), an overlap of half the chunk size or more, or an embedding model that cannot be used (invalid_input)"),
          "404": kbNotFound,
          "409": errorResponse("A knowledge base with this name exists (conflict)"),
        },
      }),
      delete: operation("knowledge:write", {
        operationId: "deleteKnowledgeBase",
        summary: "Delete a knowledge base",
        description: "Needs a key whose creator is a developer or above. Its documents, chunks and stored files go with it; workflows that use it fail their Knowledge step with `knowledge_not_found`.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base")],
        responses: { "204": { description: "Deleted" }, "404": kbNotFound },
      }),
    },
    "/api/v1/knowledge-bases/{id}/documents": {
      get: operation("knowledge:read", {
        operationId: "listKnowledgeDocuments",
        summary: "List documents",
        description: "Newest first, each with its status, progress counts and error.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base")],
        responses: { "200": { description: "The documents", content: json(KnowledgeDocumentListSchema) }, "404": kbNotFound },
      }),
      post: operation("knowledge:write", {
        operationId: "addKnowledgeDocument",
        summary: "Add a document (file, text or URL)",
        description: UPLOAD,
        tags: ["knowledge"],
        parameters: [
          idParam("knowledge base"),
          { name: "name", in: "query", required: false, description: "The file name, for a raw-body upload (required then)", schema: { type: "string", maxLength: 255 } },
          { name: "metadata", in: "query", required: false, description: 'Tags of a raw-body upload as a JSON object, e.g. {"department":"HR"}', schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: { ...json(AddDocumentJsonSchema), "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream", description: "The file itself (any supported type; send its own Content-Type)" } } },
        },
        responses: {
          "201": { description: "The document (queued, or failed with the reason)", content: json(KnowledgeDocumentSchema) },
          "400": errorResponse("No name for a raw upload, invalid metadata, or an invalid JSON body (invalid_request, with issues)"),
          "404": kbNotFound,
        },
      }),
    },
    "/api/v1/knowledge-bases/{id}/documents/{documentId}": {
      get: operation("knowledge:read", {
        operationId: "getKnowledgeDocument",
        summary: "Get a document's status",
        description: "Status (queued → parsing → chunking → embedding → indexed, or failed), `chunksDone` of `chunksTotal`, and the error of a failed document.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base"), documentParam],
        responses: { "200": { description: "The document", content: json(KnowledgeDocumentSchema) }, "404": errorResponse("No such knowledge base in the key's workspace, or no such document in it") },
      }),
      delete: operation("knowledge:write", {
        operationId: "deleteKnowledgeDocument",
        summary: "Delete a document",
        description: "Its chunks leave retrieval at once; its stored file goes too.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base"), documentParam],
        responses: { "204": { description: "Deleted" }, "404": errorResponse("No such knowledge base in the key's workspace, or no such document in it") },
      }),
    },
    "/api/v1/knowledge-bases/{id}/query": {
      post: operation("knowledge:read", {
        operationId: "queryKnowledgeBase",
        summary: "Retrieve chunks",
        description:
          "Hybrid (vector + keyword, reciprocal rank fusion; default), vector or keyword retrieval: the top-k chunks with scores (0..1 in every mode), their document, page and section, and a `context` string with numbered citations. `filter` keeps chunks whose tags equal every given value.",
        tags: ["knowledge"],
        parameters: [idParam("knowledge base")],
        requestBody: { required: true, content: json(KnowledgeQuerySchema) },
        responses: {
          "200": { description: "The ranked chunks and the citation context", content: json(KnowledgeQueryResultSchema) },
          "400": errorResponse("Invalid body (invalid_request, with issues)"),
          "404": kbNotFound,
          "502": errorResponse("The embedding model failed (down, rate-limited, key rejected); the code is the model's error code"),
        },
      }),
    },
  };
}

