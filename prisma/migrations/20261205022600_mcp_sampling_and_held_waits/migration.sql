-- DropIndex
DROP INDEX "run_waits_runId_nodeId_iteration_key";

-- AlterTable
ALTER TABLE "run_waits" ADD COLUMN     "slot" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "mcp_sampling_use" (
    "runId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "totalTokens" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "mcp_sampling_use_pkey" PRIMARY KEY ("runId","sourceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_waits_runId_nodeId_iteration_slot_key" ON "run_waits"("runId", "nodeId", "iteration", "slot");


-- AddForeignKey
ALTER TABLE "mcp_sampling_use" ADD CONSTRAINT "mcp_sampling_use_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
