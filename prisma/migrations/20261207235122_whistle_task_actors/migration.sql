-- AlterTable
ALTER TABLE "WhistleTask" ADD COLUMN     "reportedBy" TEXT,
ADD COLUMN     "resolvedBy" TEXT;
