-- AlterTable
ALTER TABLE "chat_apps" ADD COLUMN     "allowedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[];

