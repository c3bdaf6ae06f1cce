-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Checkpoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" DATETIME,
    CONSTRAINT "Checkpoint_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Checkpoint" ("createdAt", "deletedAt", "epoch", "id", "metrics", "path", "runId", "sha256", "sizeBytes") SELECT "createdAt", "deletedAt", "epoch", "id", "metrics", "path", "runId", "sha256", "sizeBytes" FROM "Checkpoint";
DROP TABLE "Checkpoint";
ALTER TABLE "new_Checkpoint" RENAME TO "Checkpoint";
CREATE INDEX "Checkpoint_runId_epoch_idx" ON "Checkpoint"("runId", "epoch");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
