-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "trialIndex" INTEGER,
ADD COLUMN     "prunedAtEpoch" INTEGER,
ADD COLUMN     "pruneReason" TEXT;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "experimentId" INTEGER NOT NULL,
    "sampler" TEXT NOT NULL,
    "space" JSONB NOT NULL,
    "budget" INTEGER NOT NULL,
    "parallelism" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "scheduler" JSONB NOT NULL,
    "template" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepId_trialIndex_key" ON "Run"("sweepId", "trialIndex");

-- CreateIndex
CREATE INDEX "Sweep_experimentId_createdAt_idx" ON "Sweep"("experimentId", "createdAt");

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
