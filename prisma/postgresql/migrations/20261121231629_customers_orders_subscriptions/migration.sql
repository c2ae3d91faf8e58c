-- CreateTable
CREATE TABLE "Customer" (
    "id" TEXT NOT NULL,
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
    "adminPasswordHash" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "firstBillingAt" TIMESTAMP(3),
    "creationKey" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "resellerOfRecordId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "orderId" TEXT,
    "licences" INTEGER NOT NULL,
    "billingCycle" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "termEndAt" TIMESTAMP(3) NOT NULL,
    "autoRenew" BOOLEAN NOT NULL DEFAULT true,
    "trialEndsAt" TIMESTAMP(3),
    "parentId" TEXT,
    "resellerOfRecordId" TEXT,
    "supportContactId" TEXT,
    "suspensionReason" TEXT,
    "suspendedAt" TIMESTAMP(3),
    "deletionAt" TIMESTAMP(3),
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorUserId" TEXT NOT NULL,
    "actorOrgId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "customerId" TEXT,
    "subscriptionId" TEXT,
    "before" TEXT,
    "after" TEXT,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Customer_domainPrefix_key" ON "Customer"("domainPrefix");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_creationKey_key" ON "Customer"("creationKey");

-- CreateIndex
CREATE INDEX "Customer_providerOrgId_searchName_idx" ON "Customer"("providerOrgId", "searchName");

-- CreateIndex
CREATE INDEX "Customer_resellerOrgId_idx" ON "Customer"("resellerOrgId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_idempotencyKey_key" ON "Order"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Order_customerId_idx" ON "Order"("customerId");

-- CreateIndex
CREATE INDEX "Subscription_customerId_offerId_idx" ON "Subscription"("customerId", "offerId");

-- CreateIndex
CREATE INDEX "Subscription_parentId_idx" ON "Subscription"("parentId");

-- CreateIndex
CREATE INDEX "Subscription_status_deletionAt_idx" ON "Subscription"("status", "deletionAt");

-- CreateIndex
CREATE INDEX "AuditEntry_customerId_at_idx" ON "AuditEntry"("customerId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_subscriptionId_at_idx" ON "AuditEntry"("subscriptionId", "at");

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_providerOrgId_fkey" FOREIGN KEY ("providerOrgId") REFERENCES "Organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_resellerOrgId_fkey" FOREIGN KEY ("resellerOrgId") REFERENCES "Organisation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Subscription"("id") ON DELETE SET NULL ON UPDATE CASCADE;
