-- Version 2: today's Partner Center behind a port. The bot's customers and subscriptions become
-- a mirror of Partner Center's, and the embedded Partner Center (Pc* tables) holds Partner
-- Center's side. Existing data is kept: each customer and subscription is copied into the embedded
-- Partner Center under the same id (subscriptions as legacy offers, under the seeds' rules they
-- were sold with), then the offer tables, now Partner Center's catalog, are dropped.

-- DropForeignKey
ALTER TABLE "Offer" DROP CONSTRAINT "Offer_parentOfferId_fkey";

-- DropForeignKey
ALTER TABLE "OfferAvailability" DROP CONSTRAINT "OfferAvailability_offerId_fkey";

-- DropForeignKey
ALTER TABLE "Subscription" DROP CONSTRAINT "Subscription_offerId_fkey";

-- AlterTable
ALTER TABLE "Organisation" ADD COLUMN     "mpnId" TEXT;

-- CreateTable
CREATE TABLE "PcCustomer" (
    "id" TEXT NOT NULL,
    "commerceId" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "billingProfile" TEXT NOT NULL,
    "associatedPartnerId" TEXT,
    "adminUserName" TEXT NOT NULL,
    "adminPasswordHash" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcCustomer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PcAgreement" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "dateAgreed" TEXT NOT NULL,
    "primaryContact" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcAgreement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PcCart" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "lineItems" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "orderIds" TEXT,

    CONSTRAINT "PcCart_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PcOrder" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "cartId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "lineItems" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "provisionedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PcSubscription" (
    "id" TEXT NOT NULL,
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
    "creationDate" TIMESTAMP(3) NOT NULL,
    "effectiveStartDate" TIMESTAMP(3) NOT NULL,
    "termStartDate" TIMESTAMP(3) NOT NULL,
    "commitmentEndDate" TIMESTAMP(3) NOT NULL,
    "termDuration" TEXT NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "seatBatches" TEXT NOT NULL,
    "scheduledNextTerm" TEXT,
    "partnerId" TEXT,
    "parentSubscriptionId" TEXT,
    "isTrial" BOOLEAN NOT NULL DEFAULT false,
    "suspensionReasons" TEXT NOT NULL DEFAULT '[]',
    "suspendedAt" TIMESTAMP(3),
    "etag" TEXT NOT NULL,
    "updateCount" INTEGER NOT NULL DEFAULT 0,
    "visibleAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PcRequest" (
    "requestId" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcRequest_pkey" PRIMARY KEY ("requestId")
);

-- CreateTable
CREATE TABLE "PcReseller" (
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mpnId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "agreementSigned" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PcReseller_pkey" PRIMARY KEY ("tenantId")
);

-- Existing customers and subscriptions, into the embedded Partner Center (same ids).
INSERT INTO "PcCustomer" ("id", "commerceId", "domain", "companyName", "billingProfile", "associatedPartnerId", "adminUserName", "adminPasswordHash", "etag", "createdAt")
SELECT c."id", c."id", c."domainPrefix" || '.onmicrosoft.com', c."companyName",
       json_build_object('email', c."contactEmail", 'culture', c."culture", 'language', c."language", 'companyName', c."companyName",
                         'defaultAddress', json_build_object('firstName', c."contactFirstName", 'lastName', c."contactLastName", 'addressLine1', c."addressLine1", 'addressLine2', c."addressLine2", 'city', c."city", 'state', c."region", 'postalCode', c."postalCode", 'country', c."country", 'phoneNumber', c."phone"))::text,
       r."tenantId", c."adminAccount", c."adminPasswordHash", md5(random()::text || c."id"), c."openedAt"
FROM "Customer" c LEFT JOIN "Organisation" r ON r."id" = c."resellerOrgId";

INSERT INTO "PcSubscription" ("id", "customerId", "orderId", "productId", "skuId", "availabilityId", "offerName", "productType", "quantity", "status", "autoRenewEnabled", "creationDate", "effectiveStartDate", "termStartDate", "commitmentEndDate", "termDuration", "billingCycle", "seatBatches", "scheduledNextTerm", "partnerId", "parentSubscriptionId", "isTrial", "suspensionReasons", "suspendedAt", "etag", "updateCount", "visibleAt", "updatedAt")
SELECT s."id", s."customerId", NULL, s."offerId", '0001', 'LEGACY', COALESCE(o."name", s."offerId"), 'OnlineServices', s."licences",
       CASE s."status" WHEN 'cancelled' THEN 'deleted' ELSE s."status" END, s."autoRenew", s."createdAt", s."createdAt", s."createdAt", s."termEndAt",
       CASE s."billingCycle" WHEN 'annual' THEN 'P1Y' ELSE 'P1M' END, CASE s."billingCycle" WHEN 'annual' THEN 'Annual' ELSE 'Monthly' END,
       '[]', NULL, NULL, s."parentId", COALESCE(o."isTrial", false),
       CASE WHEN s."suspensionReason" IS NULL THEN '[]' ELSE '["' || upper(substr(s."suspensionReason", 1, 1)) || substr(s."suspensionReason", 2) || '"]' END,
       s."suspendedAt", md5(random()::text || s."id"), 0, s."createdAt", s."updatedAt"
FROM "Subscription" s LEFT JOIN "Offer" o ON o."id" = s."offerId";

-- AlterTable
ALTER TABLE "Customer" DROP COLUMN "adminPasswordHash",
ADD COLUMN     "etag" TEXT,
ADD COLUMN     "mcaAttestedAt" TIMESTAMP(3),
ADD COLUMN     "pcCustomerId" TEXT,
ADD COLUMN     "readAt" TIMESTAMP(3);

UPDATE "Customer" SET "pcCustomerId" = "id";
ALTER TABLE "Customer" ALTER COLUMN "pcCustomerId" SET NOT NULL;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "pcOrderId" TEXT,
ADD COLUMN     "provisioning" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'completed';

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "cancellableUntil" TIMESTAMP(3),
ADD COLUMN     "currency" TEXT NOT NULL DEFAULT 'USD',
ADD COLUMN     "etag" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "isTrial" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "offerName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "pcSubscriptionId" TEXT,
ADD COLUMN     "productId" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "productType" TEXT NOT NULL DEFAULT 'OnlineServices',
ADD COLUMN     "readAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "refundableSeats" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "scheduledNextTerm" TEXT,
ADD COLUMN     "skuId" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "termDuration" TEXT NOT NULL DEFAULT 'P1Y',
ADD COLUMN     "termStartAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "unitPriceCents" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "windowClosesAt" TIMESTAMP(3);

UPDATE "Subscription" s SET
  "pcSubscriptionId" = s."id",
  "productId" = s."offerId",
  "skuId" = '0001',
  "offerId" = s."offerId" || ':0001:LEGACY',
  "offerName" = COALESCE(o."name", s."offerId"),
  "isTrial" = COALESCE(o."isTrial", false),
  "unitPriceCents" = COALESCE(o."unitPriceCents", 0),
  "currency" = COALESCE(o."currency", 'USD'),
  "termDuration" = CASE s."billingCycle" WHEN 'annual' THEN 'P1Y' ELSE 'P1M' END,
  "termStartAt" = s."createdAt",
  "status" = CASE s."status" WHEN 'cancelled' THEN 'deleted' ELSE s."status" END,
  "etag" = p."etag",
  "readAt" = s."updatedAt"
FROM "Subscription" s0 LEFT JOIN "Offer" o ON o."id" = s0."offerId" LEFT JOIN "PcSubscription" p ON p."id" = s0."id"
WHERE s0."id" = s."id";
ALTER TABLE "Subscription" ALTER COLUMN "pcSubscriptionId" SET NOT NULL;

-- The offer catalog is Partner Center's now.
-- DropTable
DROP TABLE "Offer";

-- DropTable
DROP TABLE "OfferAvailability";

-- DropTable
DROP TABLE "OfferHold";

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

-- CreateIndex
CREATE UNIQUE INDEX "Customer_pcCustomerId_key" ON "Customer"("pcCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_pcOrderId_key" ON "Order"("pcOrderId");

-- CreateIndex
CREATE INDEX "Order_provisioning_idx" ON "Order"("provisioning");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_pcSubscriptionId_key" ON "Subscription"("pcSubscriptionId");

-- CreateIndex
CREATE INDEX "Subscription_status_windowClosesAt_idx" ON "Subscription"("status", "windowClosesAt");
