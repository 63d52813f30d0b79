-- DropIndex
DROP INDEX "knowledge_chunks_knowledgeBaseId_generation_idx";

-- CreateIndex
CREATE INDEX "knowledge_chunks_knowledgeBaseId_generation_contentHash_idx" ON "knowledge_chunks"("knowledgeBaseId", "generation", "contentHash");

