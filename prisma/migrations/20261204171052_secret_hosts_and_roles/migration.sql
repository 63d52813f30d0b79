-- AlterTable
ALTER TABLE "secrets" ADD COLUMN     "allowedHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "minRole" TEXT;

