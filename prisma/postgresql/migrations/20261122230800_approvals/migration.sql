-- CreateTable
CREATE TABLE "ApprovalPolicy" (
    "organisationId" TEXT NOT NULL,
    "orderLicencesAbove" INTEGER,
    "orderMonthlyCentsAbove" INTEGER,
    "cancellations" BOOLEAN NOT NULL DEFAULT false,
    "suspensions" BOOLEAN NOT NULL DEFAULT false,
    "resellerCustomers" BOOLEAN NOT NULL DEFAULT false,
    "expiryHours" INTEGER NOT NULL DEFAULT 72,
    "updatedById" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalPolicy_pkey" PRIMARY KEY ("organisationId")
);

-- CreateTable
CREATE TABLE "ApprovalRequest" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApprovalRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApprovalRequest_actionKey_key" ON "ApprovalRequest"("actionKey");

-- CreateIndex
CREATE INDEX "ApprovalRequest_organisationId_status_expiresAt_idx" ON "ApprovalRequest"("organisationId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "ApprovalRequest_requesterId_createdAt_idx" ON "ApprovalRequest"("requesterId", "createdAt");
