-- CreateTable
CREATE TABLE "Partnership" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "providerOrgId" TEXT NOT NULL,
    "resellerOrgId" TEXT,
    "email" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "invitedById" TEXT NOT NULL,
    "respondedById" TEXT,
    "respondedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ConversationRef" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Partnership_tokenHash_key" ON "Partnership"("tokenHash");

-- CreateIndex
CREATE INDEX "Partnership_providerOrgId_status_idx" ON "Partnership"("providerOrgId", "status");

-- CreateIndex
CREATE INDEX "Partnership_resellerOrgId_idx" ON "Partnership"("resellerOrgId");

-- CreateIndex
CREATE INDEX "ConversationRef_userId_active_idx" ON "ConversationRef"("userId", "active");

-- CreateIndex
CREATE UNIQUE INDEX "ConversationRef_userId_conversationId_key" ON "ConversationRef"("userId", "conversationId");
