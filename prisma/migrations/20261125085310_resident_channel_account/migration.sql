-- AlterTable
ALTER TABLE "Resident" ADD COLUMN     "channelAccount" TEXT;
