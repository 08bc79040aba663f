-- CreateIndex
CREATE INDEX "Assignment_resolvedAt_idx" ON "Assignment"("resolvedAt");

-- CreateIndex
CREATE INDEX "Rating_ratedAt_idx" ON "Rating"("ratedAt");

-- CreateIndex
CREATE INDEX "Rating_askedAt_idx" ON "Rating"("askedAt");
