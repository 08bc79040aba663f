/**
 * Bulk-load synthetic history into a bench schema with generate_series: what a
 * service has after months of work. For petitions `from`…`to`-1: one resident
 * per 5 petitions, the petition (spread over the two years before now; older
 * than 30 days closed, newer a mix of open states), its receive event, its lead
 * assignment, a fired reminder timer, a sent delivery and a done outbox row.
 */
type Sql = (text: string, params?: unknown[]) => Promise<unknown>;
const DEBUG = !!process.env.BENCH_DEBUG;

const DAY_S = 86_400;
/** Petition i's age in seconds: i = 0 two years old, i = total - 1 just now. */
const AGE = `((2 * 365 * ${DAY_S})::float8 * (1 - (i::float8 + 1) / $3::float8))`;
const CREATED = `(now() - make_interval(secs => ${AGE}))`;

/** `total`: the size the history will reach (ages are spread as if it had that many). */
export async function bulkLoad(sql: Sql, from: number, to: number, total = Math.max(to, 1_000_000)): Promise<number> {
  if (to <= from) return 0;
  const t0 = performance.now();
  const raw = sql;
  sql = async (text, params) => {
    const s0 = performance.now();
    const r = await raw(text, params);
    if (DEBUG) process.stderr.write(`${((performance.now() - s0) / 1000).toFixed(1)} s  ${text.trim().slice(0, 40)}\n`);
    return r;
  };
  await sql('SET synchronous_commit = off');
  await sql(`CREATE TEMP TABLE IF NOT EXISTS bench_streets AS
    SELECT row_number() OVER (ORDER BY code) - 1 AS idx, code, "parentCode" AS district FROM "Area" WHERE level = 'street'`);
  await sql(`CREATE TEMP TABLE IF NOT EXISTS bench_cats AS SELECT row_number() OVER (ORDER BY code) - 1 AS idx, code FROM "Category"`);
  await sql(`CREATE TEMP TABLE IF NOT EXISTS bench_units AS SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id FROM "Unit"`);
  const ns = `(SELECT count(*) FROM bench_streets)`;
  const nc = `(SELECT count(*) FROM bench_cats)`;
  const nu = `(SELECT count(*) FROM bench_units)`;

  await sql(
    `INSERT INTO "Resident" (id, platform, "platformUserId", "chatId", language, "lastInboundAt", "createdAt")
     SELECT 'bulk-r-' || r, 'telegram', 'bulk' || r, 'bulk' || r, 'zh', now() - interval '1 day' * (r % 700), now() - interval '1 day' * (r % 700)
     FROM generate_series($1::int / 5, ($2::int - 1) / 5) r
     ON CONFLICT DO NOTHING`,
    [from, to],
  );
  await sql(
    `INSERT INTO "Petition" (id, number, "residentId", channel, "originalTextEnc", "maskedText", "categoryCode", "districtCode", "streetCode",
                             "placeMethod", urgency, summary, status, "dispatchDueAt", "feedbackDueAt", "createdAt", "updatedAt", "closedAt")
     SELECT 'bulk-p-' || i, 'B' || lpad(i::text, 10, '0'), 'bulk-r-' || (i / 5), 'telegram', '\\x00'::bytea, '历史诉求 ' || i,
            c.code, s.district, s.code, 'gazetteer', 'ordinary', '历史诉求 ' || i,
            (CASE WHEN ${AGE} > 30 * ${DAY_S} THEN 'closed'
                  ELSE (ARRAY['dispatched','accepted','in_progress','resolved','rated','closed'])[1 + i % 6] END)::"PetitionStatus",
            ${CREATED} + interval '1 hour', ${CREATED} + interval '15 days', ${CREATED}, ${CREATED},
            CASE WHEN ${AGE} > 30 * ${DAY_S} THEN ${CREATED} + interval '10 days' END
     FROM generate_series($1::int, $2::int - 1) i
     JOIN bench_streets s ON s.idx = (i::bigint * 7919) % ${ns}
     JOIN bench_cats c ON c.idx = (i::bigint * 104729) % ${nc}`,
    [from, to, total],
  );
  await sql(
    `INSERT INTO "PetitionEvent" ("petitionId", "actorKind", action, "toStatus", at)
     SELECT 'bulk-p-' || i, 'resident', 'receive', 'received', ${CREATED}
     FROM generate_series($1::int, $2::int - 1) i`,
    [from, to, total],
  );
  await sql(
    `INSERT INTO "Assignment" (id, "petitionId", "unitId", role, status, "dispatchedAt", "acceptDueAt", "dueAt", "resolvedAt")
     SELECT 'bulk-a-' || i, 'bulk-p-' || i, u.id, 'lead',
            (CASE WHEN ${AGE} > 30 * ${DAY_S} OR i % 6 >= 3 THEN 'resolved' ELSE 'dispatched' END)::"AssignmentStatus",
            ${CREATED}, ${CREATED} + interval '1 hour', ${CREATED} + interval '15 days',
            CASE WHEN ${AGE} > 30 * ${DAY_S} OR i % 6 >= 3 THEN ${CREATED} + interval '10 days' END
     FROM generate_series($1::int, $2::int - 1) i
     JOIN bench_units u ON u.idx = (i::bigint * 31) % ${nu}`,
    [from, to, total],
  );
  await sql(
    `INSERT INTO "Timer" (id, kind, "subjectId", "dueAt", "firedAt", data, "createdAt")
     SELECT 'bulk-t-' || i, 'remind', 'bulk-a-' || i, now() - interval '1 second' * (i % 1000000), now() - interval '1 second' * (i % 1000000), '{}'::jsonb, now()
     FROM generate_series($1::int, $2::int - 1) i`,
    [from, to],
  );
  await sql(
    `INSERT INTO "Delivery" (id, key, platform, "chatId", "petitionId", "assignmentId", message, status, "sentMessageId", "createdAt", "sentAt")
     SELECT 'bulk-d-' || i, 'bulk-card-' || i, 'telegram', 'bulk' || (i / 5), 'bulk-p-' || i, 'bulk-a-' || i, '{"text":"派单"}'::jsonb, 'sent', (i % 100000)::text, now(), now()
     FROM generate_series($1::int, $2::int - 1) i`,
    [from, to],
  );
  await sql(
    `INSERT INTO "Outbox" (kind, payload, "dedupeKey", "createdAt", "enqueuedAt", "doneAt", attempts)
     SELECT 'send', jsonb_build_object('deliveryId', 'bulk-d-' || i), 'bulk-send-' || i, now(), now(), now(), 1
     FROM generate_series($1::int, $2::int - 1) i`,
    [from, to],
  );
  // VACUUM too, so autovacuum does not wake up on the fresh rows during the measurement that follows
  await sql('VACUUM (ANALYZE) "Resident", "Petition", "PetitionEvent", "Assignment", "Timer", "Delivery", "Outbox", "InboundMessage"');
  return (performance.now() - t0) / 1000;
}
