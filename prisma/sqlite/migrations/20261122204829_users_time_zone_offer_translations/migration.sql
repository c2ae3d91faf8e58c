-- AlterTable
ALTER TABLE "User" ADD COLUMN "timeZone" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Offer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "descriptionFr" TEXT NOT NULL DEFAULT '',
    "unitPriceCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "minLicences" INTEGER NOT NULL,
    "maxLicences" INTEGER NOT NULL,
    "onePerCustomer" BOOLEAN NOT NULL DEFAULT false,
    "isTrial" BOOLEAN NOT NULL DEFAULT false,
    "trialDays" INTEGER,
    "fullOfferId" TEXT,
    "parentOfferId" TEXT,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Offer_parentOfferId_fkey" FOREIGN KEY ("parentOfferId") REFERENCES "Offer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Offer" ("createdAt", "currency", "description", "id", "isTrial", "maxLicences", "minLicences", "name", "onePerCustomer", "parentOfferId", "sortOrder", "trialDays", "unitPriceCents", "updatedAt") SELECT "createdAt", "currency", "description", "id", "isTrial", "maxLicences", "minLicences", "name", "onePerCustomer", "parentOfferId", "sortOrder", "trialDays", "unitPriceCents", "updatedAt" FROM "Offer";
DROP TABLE "Offer";
ALTER TABLE "new_Offer" RENAME TO "Offer";
CREATE INDEX "Offer_parentOfferId_idx" ON "Offer"("parentOfferId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
