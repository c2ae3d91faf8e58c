-- CreateTable
CREATE TABLE "OfferHold" (
    "customerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("customerId", "offerId")
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
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Subscription_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Subscription_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Subscription_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Subscription_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Subscription" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Subscription" ("autoRenew", "billingCycle", "createdAt", "createdById", "customerId", "deletionAt", "id", "licences", "offerId", "orderId", "parentId", "resellerOfRecordId", "status", "supportContactId", "suspendedAt", "suspensionReason", "termEndAt", "trialEndsAt", "updatedAt") SELECT "autoRenew", "billingCycle", "createdAt", "createdById", "customerId", "deletionAt", "id", "licences", "offerId", "orderId", "parentId", "resellerOfRecordId", "status", "supportContactId", "suspendedAt", "suspensionReason", "termEndAt", "trialEndsAt", "updatedAt" FROM "Subscription";
DROP TABLE "Subscription";
ALTER TABLE "new_Subscription" RENAME TO "Subscription";
CREATE INDEX "Subscription_customerId_offerId_idx" ON "Subscription"("customerId", "offerId");
CREATE INDEX "Subscription_parentId_idx" ON "Subscription"("parentId");
CREATE INDEX "Subscription_status_deletionAt_idx" ON "Subscription"("status", "deletionAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "OfferHold_subscriptionId_key" ON "OfferHold"("subscriptionId");
