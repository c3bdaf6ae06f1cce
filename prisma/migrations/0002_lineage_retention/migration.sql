-- AlterTable
ALTER TABLE "Run" ADD COLUMN "baseCheckpointId" INTEGER;
ALTER TABLE "Run" ADD COLUMN "baseCheckpointSha256" TEXT;
