-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "visitorId" TEXT;

-- CreateTable
CREATE TABLE "chat_apps" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "welcome" TEXT NOT NULL DEFAULT '',
    "suggestions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "access" TEXT NOT NULL DEFAULT 'members',
    "allowedDomains" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "chat_apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversations" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "chatAppId" TEXT NOT NULL,
    "userId" TEXT,
    "visitorId" TEXT,
    "title" TEXT NOT NULL DEFAULT 'New conversation',
    "variables" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'done',
    "runId" TEXT,
    "rating" INTEGER,
    "feedbackComment" TEXT,
    "feedbackAt" TIMESTAMP(3),
    "citations" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "chat_apps_workflowId_key" ON "chat_apps"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "chat_apps_slug_key" ON "chat_apps"("slug");

-- CreateIndex
CREATE INDEX "chat_apps_workspaceId_idx" ON "chat_apps"("workspaceId");

-- CreateIndex
CREATE INDEX "conversations_chatAppId_userId_updatedAt_idx" ON "conversations"("chatAppId", "userId", "updatedAt");

-- CreateIndex
CREATE INDEX "conversations_chatAppId_visitorId_updatedAt_idx" ON "conversations"("chatAppId", "visitorId", "updatedAt");

-- CreateIndex
CREATE INDEX "messages_conversationId_createdAt_idx" ON "messages"("conversationId", "createdAt");

-- CreateIndex
CREATE INDEX "messages_runId_idx" ON "messages"("runId");

-- AddForeignKey
ALTER TABLE "chat_apps" ADD CONSTRAINT "chat_apps_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_apps" ADD CONSTRAINT "chat_apps_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "workflows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_chatAppId_fkey" FOREIGN KEY ("chatAppId") REFERENCES "chat_apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

