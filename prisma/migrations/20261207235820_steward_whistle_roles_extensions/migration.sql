-- CreateEnum
CREATE TYPE "ExtensionStatus" AS ENUM ('pending', 'approved', 'refused');

-- AlterEnum
ALTER TYPE "StaffRole" ADD VALUE 'lane_chief';

-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN     "extendedDays" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waitingSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Petition" ADD COLUMN     "stewardId" TEXT;

-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "places" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "WhistleTask" ADD COLUMN     "role" "RouteRole" NOT NULL DEFAULT 'co';

-- CreateTable
CREATE TABLE "ExtensionRequest" (
    "id" TEXT NOT NULL,
    "assignmentId" TEXT NOT NULL,
    "days" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "status" "ExtensionStatus" NOT NULL DEFAULT 'pending',
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "refusal" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExtensionRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExtensionRequest_assignmentId_status_idx" ON "ExtensionRequest"("assignmentId", "status");

-- CreateIndex
CREATE INDEX "Petition_stewardId_idx" ON "Petition"("stewardId");

-- AddForeignKey
ALTER TABLE "ExtensionRequest" ADD CONSTRAINT "ExtensionRequest_assignmentId_fkey" FOREIGN KEY ("assignmentId") REFERENCES "Assignment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
