-- AlterTable
ALTER TABLE "tool_sources" ADD COLUMN     "lastConnectedAt" TIMESTAMP(3),
ADD COLUMN     "lastErrorAt" TIMESTAMP(3),
ADD COLUMN     "transport" TEXT;

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "warnings" INTEGER NOT NULL DEFAULT 0;

