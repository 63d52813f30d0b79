-- AlterTable
ALTER TABLE "knowledge_bases" ADD COLUMN     "reindex" JSONB;

