-- AlterTable
ALTER TABLE "Run" ADD COLUMN "baseCheckpointId" INTEGER;
ALTER TABLE "Run" ADD COLUMN "baseCheckpointSha256" TEXT;

-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN "deletedAt" DATETIME;
