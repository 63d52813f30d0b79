-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "memorySummaries" JSONB NOT NULL DEFAULT '{}';

