-- Secrets carry the hosts they may be sent to and an optional minimum role (issue 8, item 4).
-- Existing secrets get an empty list: locked (sent nowhere) until their creator or an admin sets
-- their hosts in Settings -> Secrets (docs/tools.md, "Allowed hosts").
-- AlterTable
ALTER TABLE "secrets" ADD COLUMN     "allowedHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "minRole" TEXT;

