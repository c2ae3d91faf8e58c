-- CreateTable
CREATE TABLE "Reminder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subscriptionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventAt" DATETIME NOT NULL,
    "leadDays" INTEGER NOT NULL,
    "recipientUserId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "leaseUntil" DATETIME,
    "claimedBy" TEXT,
    "lastError" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "orderId" TEXT,
    "licences" INTEGER NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "termEndAt" DATETIME NOT NULL,
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "trialEndsAt" DATETIME,
    "parentId" TEXT,
    "resellerOfRecordId" TEXT,
    "supportContactId" TEXT,
    "suspensionReason" TEXT,
    "suspendedAt" DATETIME,
    "deletionAt" DATETIME,
    "remindersMuted" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Subscription_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Subscription_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Subscription_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Subscription_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Subscription" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Subscription" ("autoRenew", "billingCycle", "createdAt", "createdById", "customerId", "deletionAt", "id", "licences", "offerId", "orderId", "parentId", "resellerOfRecordId", "status", "supportContactId", "suspendedAt", "suspensionReason", "termEndAt", "trialEndsAt", "updatedAt", "version") SELECT "autoRenew", "billingCycle", "createdAt", "createdById", "customerId", "deletionAt", "id", "licences", "offerId", "orderId", "parentId", "resellerOfRecordId", "status", "supportContactId", "suspendedAt", "suspensionReason", "termEndAt", "trialEndsAt", "updatedAt", "version" FROM "Subscription";
DROP TABLE "Subscription";
ALTER TABLE "new_Subscription" RENAME TO "Subscription";
CREATE INDEX "Subscription_customerId_offerId_idx" ON "Subscription"("customerId", "offerId");
CREATE INDEX "Subscription_parentId_idx" ON "Subscription"("parentId");
CREATE INDEX "Subscription_status_deletionAt_idx" ON "Subscription"("status", "deletionAt");
CREATE INDEX "Subscription_status_trialEndsAt_idx" ON "Subscription"("status", "trialEndsAt");
CREATE INDEX "Subscription_status_autoRenew_termEndAt_idx" ON "Subscription"("status", "autoRenew", "termEndAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Reminder_status_nextAttemptAt_idx" ON "Reminder"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Reminder_status_leaseUntil_idx" ON "Reminder"("status", "leaseUntil");

-- CreateIndex
CREATE UNIQUE INDEX "Reminder_subscriptionId_kind_eventAt_leadDays_recipientUserId_key" ON "Reminder"("subscriptionId", "kind", "eventAt", "leadDays", "recipientUserId");
