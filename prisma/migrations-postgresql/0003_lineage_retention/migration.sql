-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "baseCheckpointId" INTEGER,
ADD COLUMN     "baseCheckpointSha256" TEXT;

-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN     "deletedAt" TIMESTAMP(3);
