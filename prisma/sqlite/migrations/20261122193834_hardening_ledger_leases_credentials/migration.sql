-- CreateTable
CREATE TABLE "TurnLease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CustomerCredential" (
    "customerId" TEXT NOT NULL PRIMARY KEY,
    "ownerUserId" TEXT NOT NULL,
    "sealedPassword" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProcessedActivity" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL DEFAULT 'done',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME
);
INSERT INTO "new_ProcessedActivity" ("createdAt", "key") SELECT "createdAt", "key" FROM "ProcessedActivity";
DROP TABLE "ProcessedActivity";
ALTER TABLE "new_ProcessedActivity" RENAME TO "ProcessedActivity";
CREATE INDEX "ProcessedActivity_createdAt_idx" ON "ProcessedActivity"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "TurnLease_expiresAt_idx" ON "TurnLease"("expiresAt");

-- CreateIndex
CREATE INDEX "CustomerCredential_expiresAt_idx" ON "CustomerCredential"("expiresAt");
