-- CreateTable
CREATE TABLE "ProcessedActivity" (
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedActivity_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "ProcessedActivity_createdAt_idx" ON "ProcessedActivity"("createdAt");
