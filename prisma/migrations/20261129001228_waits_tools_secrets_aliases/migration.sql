-- CreateEnum
CREATE TYPE "WaitKind" AS ENUM ('approval', 'question', 'subworkflow');

-- CreateEnum
CREATE TYPE "WaitStatus" AS ENUM ('pending', 'answered', 'timed_out', 'cancelled');

-- AlterEnum
ALTER TYPE "StepStatus" ADD VALUE 'waiting';

-- AlterTable
ALTER TABLE "model_providers" ADD COLUMN     "modelInfo" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "cost" JSONB,
ADD COLUMN     "depth" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "parentIteration" INTEGER,
ADD COLUMN     "parentNodeId" TEXT,
ADD COLUMN     "parentRunId" TEXT,
ADD COLUMN     "sourceKind" TEXT,
ADD COLUMN     "sourceNodeId" TEXT,
ADD COLUMN     "sourceRunId" TEXT;

-- AlterTable
ALTER TABLE "run_steps" ADD COLUMN     "cost" JSONB,
ADD COLUMN     "reusedFromStepId" TEXT;

-- CreateTable
CREATE TABLE "model_aliases" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "targets" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "model_aliases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secrets" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "cipher" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tool_sources" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "document" JSONB,
    "lastSyncedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tool_sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tools" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "inputSchema" JSONB NOT NULL,
    "outputSchema" JSONB,
    "config" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "sourceId" TEXT,
    "ownerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tools_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_waits" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "iteration" INTEGER NOT NULL DEFAULT 0,
    "kind" "WaitKind" NOT NULL,
    "status" "WaitStatus" NOT NULL DEFAULT 'pending',
    "request" JSONB NOT NULL,
    "response" JSONB,
    "childRunId" TEXT,
    "timeoutAt" TIMESTAMP(3),
    "answeredById" TEXT,
    "answeredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_waits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "model_aliases_workspaceId_name_key" ON "model_aliases"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "secrets_workspaceId_name_key" ON "secrets"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tool_sources_workspaceId_name_key" ON "tool_sources"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "tools_sourceId_idx" ON "tools"("sourceId");

-- CreateIndex
CREATE UNIQUE INDEX "tools_workspaceId_name_key" ON "tools"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "run_waits_workspaceId_status_createdAt_idx" ON "run_waits"("workspaceId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "run_waits_status_timeoutAt_idx" ON "run_waits"("status", "timeoutAt");

-- CreateIndex
CREATE INDEX "run_waits_childRunId_idx" ON "run_waits"("childRunId");

-- CreateIndex
CREATE UNIQUE INDEX "run_waits_runId_nodeId_iteration_key" ON "run_waits"("runId", "nodeId", "iteration");

-- CreateIndex
CREATE INDEX "runs_parentRunId_idx" ON "runs"("parentRunId");

-- CreateIndex
CREATE INDEX "runs_sourceRunId_idx" ON "runs"("sourceRunId");

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tool_sources" ADD CONSTRAINT "tool_sources_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tools" ADD CONSTRAINT "tools_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tools" ADD CONSTRAINT "tools_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "tool_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_sourceRunId_fkey" FOREIGN KEY ("sourceRunId") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_parentRunId_fkey" FOREIGN KEY ("parentRunId") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_waits" ADD CONSTRAINT "run_waits_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_waits" ADD CONSTRAINT "run_waits_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

