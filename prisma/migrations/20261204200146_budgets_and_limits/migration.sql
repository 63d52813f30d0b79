-- AlterTable
ALTER TABLE "workflows" ADD COLUMN     "maxConcurrentRuns" INTEGER;

-- AlterTable
ALTER TABLE "model_providers" ADD COLUMN     "limits" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "throttledReason" TEXT,
ADD COLUMN     "throttledUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "budgets" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT,
    "monthlyLimit" DOUBLE PRECISION NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "warnPercent" INTEGER NOT NULL DEFAULT 80,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "budgets_workspaceId_workflowId_key" ON "budgets"("workspaceId", "workflowId");

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One workspace-wide budget per workspace (the unique index above treats NULL workflowIds as distinct).
CREATE UNIQUE INDEX "budgets_workspace_only_key" ON "budgets"("workspaceId") WHERE "workflowId" IS NULL;

-- Month-to-date spend and workflow concurrency counts read runs by workflow and time.
CREATE INDEX "runs_workflowId_status_idx" ON "runs"("workflowId", "status");
