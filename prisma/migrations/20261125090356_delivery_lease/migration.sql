-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "leaseUntil" TIMESTAMP(3);
