-- Knowledge bases need the pgvector and pg_trgm extensions: scripts/pgvector.sh installs them into the server.
CREATE EXTENSION IF NOT EXISTS "vector";

CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "KnowledgeSourceKind" AS ENUM ('file', 'text', 'url');

-- CreateEnum
CREATE TYPE "KnowledgeDocumentStatus" AS ENUM ('queued', 'parsing', 'chunking', 'embedding', 'indexed', 'failed');

-- CreateTable
CREATE TABLE "knowledge_bases" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "embeddingProviderId" TEXT NOT NULL,
    "embeddingModel" TEXT NOT NULL,
    "dimensions" INTEGER NOT NULL,
    "chunkSize" INTEGER NOT NULL DEFAULT 1000,
    "chunkOverlap" INTEGER NOT NULL DEFAULT 150,
    "splitter" TEXT NOT NULL DEFAULT 'recursive',
    "indexGeneration" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "knowledge_bases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "knowledge_documents" (
    "id" TEXT NOT NULL,
    "knowledgeBaseId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sourceKind" "KnowledgeSourceKind" NOT NULL,
    "sourceUrl" TEXT,
    "storageKey" TEXT,
    "mimeType" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL DEFAULT 0,
    "contentHash" TEXT,
    "status" "KnowledgeDocumentStatus" NOT NULL DEFAULT 'queued',
    "chunksTotal" INTEGER NOT NULL DEFAULT 0,
    "chunksDone" INTEGER NOT NULL DEFAULT 0,
    "error" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "embeddingTokens" INTEGER NOT NULL DEFAULT 0,
    "cost" JSONB,
    "indexGeneration" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "knowledge_documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "knowledge_chunks" (
    "id" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "knowledgeBaseId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "page" INTEGER,
    "section" TEXT,
    "tokenCount" INTEGER NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "dimensions" INTEGER NOT NULL,
    "embedding" vector,
    "searchVector" tsvector,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "knowledge_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "knowledge_bases_workspaceId_name_key" ON "knowledge_bases"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "knowledge_documents_knowledgeBaseId_createdAt_idx" ON "knowledge_documents"("knowledgeBaseId", "createdAt");

-- CreateIndex
CREATE INDEX "knowledge_chunks_knowledgeBaseId_generation_idx" ON "knowledge_chunks"("knowledgeBaseId", "generation");

-- CreateIndex
CREATE UNIQUE INDEX "knowledge_chunks_documentId_generation_ordinal_key" ON "knowledge_chunks"("documentId", "generation", "ordinal");

-- AddForeignKey
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "knowledge_bases" ADD CONSTRAINT "knowledge_bases_embeddingProviderId_fkey" FOREIGN KEY ("embeddingProviderId") REFERENCES "model_providers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "knowledge_documents" ADD CONSTRAINT "knowledge_documents_knowledgeBaseId_fkey" FOREIGN KEY ("knowledgeBaseId") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "knowledge_documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_knowledgeBaseId_fkey" FOREIGN KEY ("knowledgeBaseId") REFERENCES "knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: keyword search. The simple configuration keeps every word of every language (no stemming, no stop
-- words), and pg_trgm trigrams cover scripts written without spaces (Chinese, Japanese), where to_tsvector
-- sees one long word.
ALTER TABLE "knowledge_chunks" DROP COLUMN "searchVector";
ALTER TABLE "knowledge_chunks" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('simple', "text")) STORED;
CREATE INDEX "knowledge_chunks_searchVector_idx" ON "knowledge_chunks" USING GIN ("searchVector");
CREATE INDEX "knowledge_chunks_text_trgm_idx" ON "knowledge_chunks" USING GIN ("text" gin_trgm_ops);

-- Hand-written: HNSW (cosine) indexes. A vector column without a fixed length cannot be indexed
-- as a whole, so there is one partial expression index per common embedding length: retrieval
-- (lib/knowledge/vector-search.ts) casts to the same length so the planner uses it. Lengths over
-- 2,000 are indexed as halfvec, beyond the HNSW limit for vector. Other lengths are searched exactly.
CREATE INDEX "knowledge_chunks_embedding_256_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(256)) vector_cosine_ops) WHERE "dimensions" = 256;
CREATE INDEX "knowledge_chunks_embedding_384_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(384)) vector_cosine_ops) WHERE "dimensions" = 384;
CREATE INDEX "knowledge_chunks_embedding_512_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(512)) vector_cosine_ops) WHERE "dimensions" = 512;
CREATE INDEX "knowledge_chunks_embedding_768_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(768)) vector_cosine_ops) WHERE "dimensions" = 768;
CREATE INDEX "knowledge_chunks_embedding_1024_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(1024)) vector_cosine_ops) WHERE "dimensions" = 1024;
CREATE INDEX "knowledge_chunks_embedding_1536_idx" ON "knowledge_chunks" USING hnsw (("embedding"::vector(1536)) vector_cosine_ops) WHERE "dimensions" = 1536;
CREATE INDEX "knowledge_chunks_embedding_3072_idx" ON "knowledge_chunks" USING hnsw (("embedding"::halfvec(3072)) halfvec_cosine_ops) WHERE "dimensions" = 3072;
