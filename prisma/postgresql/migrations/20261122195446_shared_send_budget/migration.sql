-- CreateTable
CREATE TABLE "SendBudget" (
    "key" TEXT NOT NULL,
    "times" TEXT NOT NULL,

    CONSTRAINT "SendBudget_pkey" PRIMARY KEY ("key")
);
