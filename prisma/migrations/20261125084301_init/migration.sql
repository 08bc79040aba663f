-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AreaLevel" AS ENUM ('district', 'street');

-- CreateEnum
CREATE TYPE "RouteRole" AS ENUM ('lead', 'co');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('staff', 'coordinator', 'admin', 'steward');

-- CreateEnum
CREATE TYPE "InboundStatus" AS ENUM ('pending', 'processed', 'failed');

-- CreateEnum
CREATE TYPE "PetitionStatus" AS ENUM ('received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'resolved', 'rated', 'closed', 'returned', 'reopen_requested', 'reopened', 'merged', 'withdrawn', 'redirected');

-- CreateEnum
CREATE TYPE "Urgency" AS ENUM ('emergency', 'utilities', 'ordinary', 'complex');

-- CreateEnum
CREATE TYPE "AssignmentStatus" AS ENUM ('dispatched', 'accepted', 'in_progress', 'resolved', 'returned', 'cancelled');

-- CreateEnum
CREATE TYPE "Solved" AS ENUM ('solved', 'partly', 'unsolved');

-- CreateEnum
CREATE TYPE "Satisfaction" AS ENUM ('satisfied', 'basically', 'dissatisfied');

-- CreateEnum
CREATE TYPE "WhistleStatus" AS ENUM ('open', 'resolved', 'cancelled');

-- CreateTable
CREATE TABLE "Area" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "level" "AreaLevel" NOT NULL,
    "kind" TEXT,
    "parentCode" TEXT,
    "gbCode" TEXT,
    "aliases" TEXT[],

    CONSTRAINT "Area_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Category" (
    "code" TEXT NOT NULL,
    "nameZh" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "handler" TEXT NOT NULL,
    "scopeZh" TEXT NOT NULL,
    "urgentWhen" TEXT[],

    CONSTRAINT "Category_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "DepartmentType" (
    "code" TEXT NOT NULL,
    "nameZh" TEXT NOT NULL,
    "level" TEXT NOT NULL,

    CONSTRAINT "DepartmentType_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Unit" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "typeCode" TEXT NOT NULL,
    "areaCode" TEXT,
    "shortNames" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Unit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoutingRule" (
    "id" SERIAL NOT NULL,
    "categoryCode" TEXT NOT NULL,
    "areaCode" TEXT,
    "target" TEXT NOT NULL DEFAULT 'unit',
    "unitId" TEXT,
    "role" "RouteRole" NOT NULL DEFAULT 'lead',
    "priority" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RoutingRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "displayName" TEXT,
    "role" "StaffRole" NOT NULL,
    "unitId" TEXT,
    "areaCode" TEXT,
    "language" TEXT NOT NULL DEFAULT 'zh',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBinding" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "unitId" TEXT,
    "areaCode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatBinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BindCode" (
    "code" TEXT NOT NULL,
    "unitId" TEXT,
    "areaCode" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "usedBy" TEXT,

    CONSTRAINT "BindCode_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Resident" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "platformUserId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'zh',
    "phoneEnc" BYTEA,
    "phoneMasked" TEXT,
    "nameEnc" BYTEA,
    "lastInboundAt" TIMESTAMP(3),
    "windowSent" INTEGER NOT NULL DEFAULT 0,
    "awaiting" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Resident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "payloadEnc" BYTEA NOT NULL,
    "status" "InboundStatus" NOT NULL DEFAULT 'pending',
    "outcome" TEXT,
    "petitionId" TEXT,
    "error" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "InboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Petition" (
    "id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "residentId" TEXT,
    "channel" TEXT NOT NULL,
    "originalTextEnc" BYTEA NOT NULL,
    "maskedText" TEXT NOT NULL,
    "categoryCode" TEXT,
    "districtCode" TEXT,
    "streetCode" TEXT,
    "community" TEXT,
    "address" TEXT,
    "placeMethod" TEXT,
    "lat" DOUBLE PRECISION,
    "lng" DOUBLE PRECISION,
    "urgency" "Urgency" NOT NULL DEFAULT 'ordinary',
    "urgencyReason" TEXT,
    "triage" TEXT,
    "summary" TEXT NOT NULL,
    "attachments" JSONB NOT NULL DEFAULT '[]',
    "status" "PetitionStatus" NOT NULL DEFAULT 'received',
    "mergedIntoId" TEXT,
    "clusterKey" TEXT,
    "dispatchDueAt" TIMESTAMP(3),
    "feedbackDueAt" TIMESTAMP(3),
    "pausedAt" TIMESTAMP(3),
    "callbackNeeded" BOOLEAN NOT NULL DEFAULT false,
    "reopenCount" INTEGER NOT NULL DEFAULT 0,
    "resolvedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Petition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PetitionEvent" (
    "id" BIGSERIAL NOT NULL,
    "petitionId" TEXT NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "reason" TEXT,
    "fromStatus" "PetitionStatus",
    "toStatus" "PetitionStatus" NOT NULL,
    "data" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PetitionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DailyCounter" (
    "day" TEXT NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "DailyCounter_pkey" PRIMARY KEY ("day")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" TEXT NOT NULL,
    "petitionId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "role" "RouteRole" NOT NULL,
    "status" "AssignmentStatus" NOT NULL DEFAULT 'dispatched',
    "dispatchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acceptDueAt" TIMESTAMP(3),
    "acceptedAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "answer" TEXT,
    "returnReason" TEXT,
    "extensions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rating" (
    "id" TEXT NOT NULL,
    "petitionId" TEXT NOT NULL,
    "round" INTEGER NOT NULL DEFAULT 1,
    "contacted" BOOLEAN,
    "solved" "Solved",
    "satisfaction" "Satisfaction",
    "comment" TEXT,
    "askedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ratedAt" TIMESTAMP(3),

    CONSTRAINT "Rating_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Whistle" (
    "id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "petitionId" TEXT,
    "areaCode" TEXT,
    "place" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "openedBy" TEXT NOT NULL,
    "chatPlatform" TEXT,
    "chatId" TEXT,
    "reportDueAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" "WhistleStatus" NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Whistle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WhistleTask" (
    "id" TEXT NOT NULL,
    "whistleId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "reportDueAt" TIMESTAMP(3) NOT NULL,
    "reportedAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "note" TEXT,

    CONSTRAINT "WhistleTask_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueuedAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "Outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Timer" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "firedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Timer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "petitionId" TEXT,
    "assignmentId" TEXT,
    "whistleId" TEXT,
    "message" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sentMessageId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KeyValue" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KeyValue_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Area_parentCode_idx" ON "Area"("parentCode");

-- CreateIndex
CREATE INDEX "Unit_typeCode_areaCode_idx" ON "Unit"("typeCode", "areaCode");

-- CreateIndex
CREATE INDEX "RoutingRule_categoryCode_idx" ON "RoutingRule"("categoryCode");

-- CreateIndex
CREATE UNIQUE INDEX "RoutingRule_categoryCode_areaCode_target_unitId_role_key" ON "RoutingRule"("categoryCode", "areaCode", "target", "unitId", "role");

-- CreateIndex
CREATE INDEX "Staff_unitId_idx" ON "Staff"("unitId");

-- CreateIndex
CREATE INDEX "Staff_areaCode_idx" ON "Staff"("areaCode");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_platform_platformUserId_key" ON "Staff"("platform", "platformUserId");

-- CreateIndex
CREATE INDEX "ChatBinding_unitId_idx" ON "ChatBinding"("unitId");

-- CreateIndex
CREATE INDEX "ChatBinding_areaCode_idx" ON "ChatBinding"("areaCode");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBinding_platform_chatId_key" ON "ChatBinding"("platform", "chatId");

-- CreateIndex
CREATE UNIQUE INDEX "Resident_platform_platformUserId_key" ON "Resident"("platform", "platformUserId");

-- CreateIndex
CREATE INDEX "InboundMessage_status_receivedAt_idx" ON "InboundMessage"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_platform_messageId_key" ON "InboundMessage"("platform", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Petition_number_key" ON "Petition"("number");

-- CreateIndex
CREATE INDEX "Petition_residentId_status_idx" ON "Petition"("residentId", "status");

-- CreateIndex
CREATE INDEX "Petition_status_idx" ON "Petition"("status");

-- CreateIndex
CREATE INDEX "Petition_clusterKey_createdAt_idx" ON "Petition"("clusterKey", "createdAt");

-- CreateIndex
CREATE INDEX "Petition_createdAt_idx" ON "Petition"("createdAt");

-- CreateIndex
CREATE INDEX "Petition_streetCode_categoryCode_createdAt_idx" ON "Petition"("streetCode", "categoryCode", "createdAt");

-- CreateIndex
CREATE INDEX "PetitionEvent_petitionId_id_idx" ON "PetitionEvent"("petitionId", "id");

-- CreateIndex
CREATE INDEX "PetitionEvent_action_at_idx" ON "PetitionEvent"("action", "at");

-- CreateIndex
CREATE INDEX "Assignment_petitionId_idx" ON "Assignment"("petitionId");

-- CreateIndex
CREATE INDEX "Assignment_unitId_status_idx" ON "Assignment"("unitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Rating_petitionId_round_key" ON "Rating"("petitionId", "round");

-- CreateIndex
CREATE UNIQUE INDEX "Whistle_number_key" ON "Whistle"("number");

-- CreateIndex
CREATE UNIQUE INDEX "WhistleTask_whistleId_unitId_key" ON "WhistleTask"("whistleId", "unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_dedupeKey_key" ON "Outbox"("dedupeKey");

-- CreateIndex
CREATE INDEX "Outbox_doneAt_enqueuedAt_idx" ON "Outbox"("doneAt", "enqueuedAt");

-- CreateIndex
CREATE INDEX "Timer_firedAt_cancelledAt_dueAt_idx" ON "Timer"("firedAt", "cancelledAt", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "Timer_kind_subjectId_key" ON "Timer"("kind", "subjectId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_key_key" ON "Delivery"("key");

-- CreateIndex
CREATE INDEX "Delivery_platform_chatId_sentMessageId_idx" ON "Delivery"("platform", "chatId", "sentMessageId");

-- CreateIndex
CREATE INDEX "Delivery_status_platform_chatId_idx" ON "Delivery"("status", "platform", "chatId");

-- AddForeignKey
ALTER TABLE "Area" ADD CONSTRAINT "Area_parentCode_fkey" FOREIGN KEY ("parentCode") REFERENCES "Area"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_areaCode_fkey" FOREIGN KEY ("areaCode") REFERENCES "Area"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBinding" ADD CONSTRAINT "ChatBinding_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Petition" ADD CONSTRAINT "Petition_residentId_fkey" FOREIGN KEY ("residentId") REFERENCES "Resident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PetitionEvent" ADD CONSTRAINT "PetitionEvent_petitionId_fkey" FOREIGN KEY ("petitionId") REFERENCES "Petition"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_petitionId_fkey" FOREIGN KEY ("petitionId") REFERENCES "Petition"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rating" ADD CONSTRAINT "Rating_petitionId_fkey" FOREIGN KEY ("petitionId") REFERENCES "Petition"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WhistleTask" ADD CONSTRAINT "WhistleTask_whistleId_fkey" FOREIGN KEY ("whistleId") REFERENCES "Whistle"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WhistleTask" ADD CONSTRAINT "WhistleTask_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
