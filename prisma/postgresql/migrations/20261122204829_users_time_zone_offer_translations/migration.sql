-- AlterTable
ALTER TABLE "User" ADD COLUMN     "timeZone" TEXT;

-- AlterTable
ALTER TABLE "Offer" ADD COLUMN     "descriptionFr" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "fullOfferId" TEXT;
