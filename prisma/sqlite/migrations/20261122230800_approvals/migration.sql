-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "organisationId" TEXT NOT NULL PRIMARY KEY,
    "orderLicencesAbove" INTEGER,
    "orderMonthlyCentsAbove" INTEGER,
    "cancellations" BOOLEAN NOT NULL DEFAULT false,
    "suspensions" BOOLEAN NOT NULL DEFAULT false,
    "resellerCustomers" BOOLEAN NOT NULL DEFAULT false,
    "expiryHours" INTEGER NOT NULL DEFAULT 72,
    "updatedById" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organisationId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "customerId" TEXT,
    "subscriptionId" TEXT,
    "actionKey" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "deciderId" TEXT,
    "reason" TEXT,
    "outcome" TEXT,
    "cardRef" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalRequest_actionKey_key" ON "ApprovalRequest"("actionKey");

-- CreateIndex
CREATE INDEX "ApprovalRequest_organisationId_status_expiresAt_idx" ON "ApprovalRequest"("organisationId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_requesterId_createdAt_idx" ON "ApprovalRequest"("requesterId", "createdAt");
