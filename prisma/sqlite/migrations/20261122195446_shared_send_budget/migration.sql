-- CreateTable
CREATE TABLE "SendBudget" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "times" TEXT NOT NULL
);
