-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "remindersMuted" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Reminder" (
    "id" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventAt" TIMESTAMP(3) NOT NULL,
    "leadDays" INTEGER NOT NULL,
    "recipientUserId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "leaseUntil" TIMESTAMP(3),
    "claimedBy" TEXT,
    "lastError" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Reminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reminder_status_nextAttemptAt_idx" ON "Reminder"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Reminder_status_leaseUntil_idx" ON "Reminder"("status", "leaseUntil");

-- CreateIndex
CREATE UNIQUE INDEX "Reminder_subscriptionId_kind_eventAt_leadDays_recipientUser_key" ON "Reminder"("subscriptionId", "kind", "eventAt", "leadDays", "recipientUserId");

-- CreateIndex
CREATE INDEX "Subscription_status_trialEndsAt_idx" ON "Subscription"("status", "trialEndsAt");

-- CreateIndex
CREATE INDEX "Subscription_status_autoRenew_termEndAt_idx" ON "Subscription"("status", "autoRenew", "termEndAt");
