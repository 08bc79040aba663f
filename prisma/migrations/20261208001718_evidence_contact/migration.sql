-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN     "contactMethod" TEXT,
ADD COLUMN     "contactedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Petition" ADD COLUMN     "phoneDeclined" BOOLEAN NOT NULL DEFAULT false;
