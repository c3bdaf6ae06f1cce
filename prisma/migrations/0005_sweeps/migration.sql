-- AlterTable
ALTER TABLE "Run" ADD COLUMN "trialIndex" INTEGER;
ALTER TABLE "Run" ADD COLUMN "prunedAtEpoch" INTEGER;
ALTER TABLE "Run" ADD COLUMN "pruneReason" TEXT;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "experimentId" INTEGER NOT NULL,
    "sampler" TEXT NOT NULL,
    "space" JSONB NOT NULL,
    "budget" INTEGER NOT NULL,
    "parallelism" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "scheduler" JSONB NOT NULL,
    "template" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Sweep_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepId_trialIndex_key" ON "Run"("sweepId", "trialIndex");

-- CreateIndex
CREATE INDEX "Sweep_experimentId_createdAt_idx" ON "Sweep"("experimentId", "createdAt");
