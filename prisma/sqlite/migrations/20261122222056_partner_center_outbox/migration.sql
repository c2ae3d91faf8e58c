-- CreateTable
CREATE TABLE "PcOutbox" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "operation" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "PcOutbox_requestId_key" ON "PcOutbox"("requestId");

-- CreateIndex
CREATE INDEX "PcOutbox_status_updatedAt_idx" ON "PcOutbox"("status", "updatedAt");
