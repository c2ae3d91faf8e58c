-- CreateTable
CREATE TABLE "Partnership" (
    "id" TEXT NOT NULL,
    "providerOrgId" TEXT NOT NULL,
    "resellerOrgId" TEXT,
    "email" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "invitedById" TEXT NOT NULL,
    "respondedById" TEXT,
    "respondedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Partnership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationRef" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationRef_pkey" PRIMARY KEY ("id")
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
