-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "OfferHold" (
    "customerId" TEXT NOT NULL,
    "offerId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OfferHold_pkey" PRIMARY KEY ("customerId","offerId")
);

-- CreateIndex
CREATE UNIQUE INDEX "OfferHold_subscriptionId_key" ON "OfferHold"("subscriptionId");
