-- Version 2: today's Partner Center behind a port. The bot's customers and subscriptions become
-- a mirror of Partner Center's, and the embedded Partner Center (Pc* tables) holds Partner
-- Center's side. Existing data is kept: each customer and subscription is copied into the embedded
-- Partner Center under the same id (subscriptions as legacy offers, under the seeds' rules they
-- were sold with), then the offer tables, now Partner Center's catalog, are dropped.

-- AlterTable
ALTER TABLE "Organisation" ADD COLUMN "mpnId" TEXT;

-- CreateTable
CREATE TABLE "PcCustomer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "commerceId" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "billingProfile" TEXT NOT NULL,
    "associatedPartnerId" TEXT,
    "adminUserName" TEXT NOT NULL,
    "adminPasswordHash" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PcAgreement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "dateAgreed" TEXT NOT NULL,
    "primaryContact" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PcCart" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "lineItems" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "orderIds" TEXT
);

-- CreateTable
CREATE TABLE "PcOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "cartId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "lineItems" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "provisionedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PcSubscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "orderId" TEXT,
    "productId" TEXT NOT NULL,
    "skuId" TEXT NOT NULL,
    "availabilityId" TEXT NOT NULL,
    "offerName" TEXT NOT NULL,
    "productType" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "autoRenewEnabled" BOOLEAN NOT NULL,
    "creationDate" DATETIME NOT NULL,
    "effectiveStartDate" DATETIME NOT NULL,
    "termStartDate" DATETIME NOT NULL,
    "commitmentEndDate" DATETIME NOT NULL,
    "termDuration" TEXT NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "seatBatches" TEXT NOT NULL,
    "scheduledNextTerm" TEXT,
    "partnerId" TEXT,
    "parentSubscriptionId" TEXT,
    "isTrial" BOOLEAN NOT NULL DEFAULT false,
    "suspensionReasons" TEXT NOT NULL DEFAULT '[]',
    "suspendedAt" DATETIME,
    "etag" TEXT NOT NULL,
    "updateCount" INTEGER NOT NULL DEFAULT 0,
    "visibleAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PcRequest" (
    "requestId" TEXT NOT NULL PRIMARY KEY,
    "operation" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PcReseller" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "mpnId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "agreementSigned" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL
);

-- Existing customers and subscriptions, into the embedded Partner Center (same ids).
INSERT INTO "PcCustomer" ("id", "commerceId", "domain", "companyName", "billingProfile", "associatedPartnerId", "adminUserName", "adminPasswordHash", "etag", "createdAt")
SELECT c."id", c."id", c."domainPrefix" || '.onmicrosoft.com', c."companyName",
       json_object('email', c."contactEmail", 'culture', c."culture", 'language', c."language", 'companyName', c."companyName",
                   'defaultAddress', json_object('firstName', c."contactFirstName", 'lastName', c."contactLastName", 'addressLine1', c."addressLine1", 'addressLine2', c."addressLine2", 'city', c."city", 'state', c."region", 'postalCode', c."postalCode", 'country', c."country", 'phoneNumber', c."phone")),
       r."tenantId", c."adminAccount", c."adminPasswordHash", lower(hex(randomblob(16))), c."openedAt"
FROM "Customer" c LEFT JOIN "Organisation" r ON r."id" = c."resellerOrgId";

INSERT INTO "PcSubscription" ("id", "customerId", "orderId", "productId", "skuId", "availabilityId", "offerName", "productType", "quantity", "status", "autoRenewEnabled", "creationDate", "effectiveStartDate", "termStartDate", "commitmentEndDate", "termDuration", "billingCycle", "seatBatches", "scheduledNextTerm", "partnerId", "parentSubscriptionId", "isTrial", "suspensionReasons", "suspendedAt", "etag", "updateCount", "visibleAt", "updatedAt")
SELECT s."id", s."customerId", NULL, s."offerId", '0001', 'LEGACY', COALESCE(o."name", s."offerId"), 'OnlineServices', s."licences",
       CASE s."status" WHEN 'cancelled' THEN 'deleted' ELSE s."status" END, s."autoRenew", s."createdAt", s."createdAt", s."createdAt", s."termEndAt",
       CASE s."billingCycle" WHEN 'annual' THEN 'P1Y' ELSE 'P1M' END, CASE s."billingCycle" WHEN 'annual' THEN 'Annual' ELSE 'Monthly' END,
       '[]', NULL, NULL, s."parentId", COALESCE(o."isTrial", 0),
       CASE WHEN s."suspensionReason" IS NULL THEN '[]' ELSE '["' || upper(substr(s."suspensionReason", 1, 1)) || substr(s."suspensionReason", 2) || '"]' END,
       s."suspendedAt", lower(hex(randomblob(16))), 0, s."createdAt", s."updatedAt"
FROM "Subscription" s LEFT JOIN "Offer" o ON o."id" = s."offerId";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Customer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "pcCustomerId" TEXT NOT NULL,
    "providerOrgId" TEXT NOT NULL,
    "resellerOrgId" TEXT,
    "companyName" TEXT NOT NULL,
    "searchName" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "addressLine1" TEXT NOT NULL,
    "addressLine2" TEXT NOT NULL DEFAULT '',
    "city" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "postalCode" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "phone" TEXT NOT NULL DEFAULT '',
    "contactFirstName" TEXT NOT NULL,
    "contactLastName" TEXT NOT NULL,
    "contactEmail" TEXT NOT NULL,
    "culture" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "domainPrefix" TEXT NOT NULL,
    "adminAccount" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstBillingAt" DATETIME,
    "mcaAttestedAt" DATETIME,
    "creationKey" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "etag" TEXT,
    "readAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Customer_providerOrgId_fkey" FOREIGN KEY ("providerOrgId") REFERENCES "Organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Customer_resellerOrgId_fkey" FOREIGN KEY ("resellerOrgId") REFERENCES "Organisation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Customer" ("pcCustomerId", "addressLine1", "addressLine2", "adminAccount", "city", "companyName", "contactEmail", "contactFirstName", "contactLastName", "country", "createdAt", "createdById", "creationKey", "culture", "domainPrefix", "firstBillingAt", "id", "language", "openedAt", "phone", "postalCode", "providerOrgId", "region", "resellerOrgId", "searchName", "segment", "updatedAt") SELECT "id", "addressLine1", "addressLine2", "adminAccount", "city", "companyName", "contactEmail", "contactFirstName", "contactLastName", "country", "createdAt", "createdById", "creationKey", "culture", "domainPrefix", "firstBillingAt", "id", "language", "openedAt", "phone", "postalCode", "providerOrgId", "region", "resellerOrgId", "searchName", "segment", "updatedAt" FROM "Customer";
DROP TABLE "Customer";
ALTER TABLE "new_Customer" RENAME TO "Customer";
CREATE UNIQUE INDEX "Customer_pcCustomerId_key" ON "Customer"("pcCustomerId");
CREATE UNIQUE INDEX "Customer_domainPrefix_key" ON "Customer"("domainPrefix");
CREATE UNIQUE INDEX "Customer_creationKey_key" ON "Customer"("creationKey");
CREATE INDEX "Customer_providerOrgId_searchName_idx" ON "Customer"("providerOrgId", "searchName");
CREATE INDEX "Customer_resellerOrgId_idx" ON "Customer"("resellerOrgId");
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "customerId" TEXT NOT NULL,
    "pcOrderId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'completed',
    "provisioning" BOOLEAN NOT NULL DEFAULT false,
    "billingCycle" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "resellerOfRecordId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("billingCycle", "createdAt", "createdById", "customerId", "id", "idempotencyKey", "resellerOfRecordId") SELECT "billingCycle", "createdAt", "createdById", "customerId", "id", "idempotencyKey", "resellerOfRecordId" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE UNIQUE INDEX "Order_pcOrderId_key" ON "Order"("pcOrderId");
CREATE UNIQUE INDEX "Order_idempotencyKey_key" ON "Order"("idempotencyKey");
CREATE INDEX "Order_customerId_idx" ON "Order"("customerId");
CREATE INDEX "Order_provisioning_idx" ON "Order"("provisioning");
CREATE TABLE "new_Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "pcSubscriptionId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "productId" TEXT NOT NULL DEFAULT '',
    "skuId" TEXT NOT NULL DEFAULT '',
    "offerName" TEXT NOT NULL DEFAULT '',
    "productType" TEXT NOT NULL DEFAULT 'OnlineServices',
    "isTrial" BOOLEAN NOT NULL DEFAULT false,
    "orderId" TEXT,
    "licences" INTEGER NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "termDuration" TEXT NOT NULL DEFAULT 'P1Y',
    "status" TEXT NOT NULL,
    "termStartAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "termEndAt" DATETIME NOT NULL,
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "cancellableUntil" DATETIME,
    "refundableSeats" TEXT NOT NULL DEFAULT '[]',
    "windowClosesAt" DATETIME,
    "scheduledNextTerm" TEXT,
    "unitPriceCents" INTEGER NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT 'USD',
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
    "etag" TEXT NOT NULL DEFAULT '',
    "readAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Subscription_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Subscription_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Subscription_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Subscription" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Subscription" ("autoRenew", "billingCycle", "createdAt", "createdById", "customerId", "deletionAt", "id", "licences", "offerId", "orderId", "parentId", "remindersMuted", "resellerOfRecordId", "status", "supportContactId", "suspendedAt", "suspensionReason", "termEndAt", "trialEndsAt", "updatedAt", "version", "pcSubscriptionId", "productId", "skuId", "offerName", "productType", "isTrial", "termDuration", "termStartAt", "unitPriceCents", "currency", "etag", "readAt")
SELECT s."autoRenew", s."billingCycle", s."createdAt", s."createdById", s."customerId", s."deletionAt", s."id", s."licences", s."offerId" || ':0001:LEGACY', s."orderId", s."parentId", s."remindersMuted", s."resellerOfRecordId",
       CASE s."status" WHEN 'cancelled' THEN 'deleted' ELSE s."status" END, s."supportContactId", s."suspendedAt", s."suspensionReason", s."termEndAt", s."trialEndsAt", s."updatedAt", s."version",
       s."id", s."offerId", '0001', COALESCE(o."name", s."offerId"), 'OnlineServices', COALESCE(o."isTrial", 0), CASE s."billingCycle" WHEN 'annual' THEN 'P1Y' ELSE 'P1M' END, s."createdAt",
       COALESCE(o."unitPriceCents", 0), COALESCE(o."currency", 'USD'), p."etag", s."updatedAt"
FROM "Subscription" s LEFT JOIN "Offer" o ON o."id" = s."offerId" LEFT JOIN "PcSubscription" p ON p."id" = s."id";
DROP TABLE "Subscription";
ALTER TABLE "new_Subscription" RENAME TO "Subscription";
CREATE UNIQUE INDEX "Subscription_pcSubscriptionId_key" ON "Subscription"("pcSubscriptionId");
CREATE INDEX "Subscription_customerId_offerId_idx" ON "Subscription"("customerId", "offerId");
CREATE INDEX "Subscription_parentId_idx" ON "Subscription"("parentId");
CREATE INDEX "Subscription_status_deletionAt_idx" ON "Subscription"("status", "deletionAt");
CREATE INDEX "Subscription_status_trialEndsAt_idx" ON "Subscription"("status", "trialEndsAt");
CREATE INDEX "Subscription_status_autoRenew_termEndAt_idx" ON "Subscription"("status", "autoRenew", "termEndAt");
CREATE INDEX "Subscription_status_windowClosesAt_idx" ON "Subscription"("status", "windowClosesAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- The offer catalog is Partner Center's now.
-- DropIndex
DROP INDEX "Offer_parentOfferId_idx";

-- DropIndex
DROP INDEX "OfferAvailability_segment_billingCycle_idx";

-- DropIndex
DROP INDEX "OfferHold_subscriptionId_key";

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "Offer";
PRAGMA foreign_keys=on;

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "OfferAvailability";
PRAGMA foreign_keys=on;

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "OfferHold";
PRAGMA foreign_keys=on;

-- CreateIndex
CREATE UNIQUE INDEX "PcCustomer_domain_key" ON "PcCustomer"("domain");

-- CreateIndex
CREATE INDEX "PcCustomer_associatedPartnerId_idx" ON "PcCustomer"("associatedPartnerId");

-- CreateIndex
CREATE INDEX "PcAgreement_customerId_idx" ON "PcAgreement"("customerId");

-- CreateIndex
CREATE INDEX "PcCart_customerId_idx" ON "PcCart"("customerId");

-- CreateIndex
CREATE INDEX "PcOrder_customerId_idx" ON "PcOrder"("customerId");

-- CreateIndex
CREATE INDEX "PcSubscription_customerId_idx" ON "PcSubscription"("customerId");

-- CreateIndex
CREATE INDEX "PcRequest_createdAt_idx" ON "PcRequest"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PcReseller_mpnId_key" ON "PcReseller"("mpnId");
