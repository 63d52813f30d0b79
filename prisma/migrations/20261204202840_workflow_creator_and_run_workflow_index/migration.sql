-- AlterTable
ALTER TABLE "workflows" ADD COLUMN     "createdById" TEXT;

-- CreateIndex
CREATE INDEX "runs_workflowId_createdAt_idx" ON "runs"("workflowId", "createdAt");

