-- AlterTable
ALTER TABLE "ProcessedActivity" ADD COLUMN     "completedAt" TIMESTAMP(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'done';

-- CreateTable
CREATE TABLE "TurnLease" (
    "key" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TurnLease_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "CustomerCredential" (
    "customerId" TEXT NOT NULL,
    "ownerUserId" TEXT NOT NULL,
    "sealedPassword" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomerCredential_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE INDEX "TurnLease_expiresAt_idx" ON "TurnLease"("expiresAt");

-- CreateIndex
CREATE INDEX "CustomerCredential_expiresAt_idx" ON "CustomerCredential"("expiresAt");
