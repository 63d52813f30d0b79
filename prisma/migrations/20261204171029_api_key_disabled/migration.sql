-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "disabledReason" TEXT;

