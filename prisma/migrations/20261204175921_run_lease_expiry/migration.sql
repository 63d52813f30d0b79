-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "leaseExpiresAt" TIMESTAMP(3);

