-- CreateTable
CREATE TABLE "ProcessedActivity" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ProcessedActivity_createdAt_idx" ON "ProcessedActivity"("createdAt");
