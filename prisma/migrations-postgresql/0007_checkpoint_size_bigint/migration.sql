-- AlterTable
ALTER TABLE "Checkpoint" ALTER COLUMN "sizeBytes" SET DATA TYPE BIGINT;
