/**
 * Alerts: what would otherwise end only in a table reaches a person. A delivery that failed for good, an
 * inbound message that could not be processed, a notice nobody could receive, a card for a unit with no
 * chat and no staff: each becomes one `Alert` row (one per thing: kind + ref), written where it is seen.
 * jobs/alerts.ts tells the responsible coordinators, batched (at most one alert message per area every
 * few minutes, listing what happened); core/metrics.ts counts them; the dashboard lists them.
 */
import type { PrismaClient, Tx } from './db.js';
import { maskText } from './pii.js';

type DbOrTx = PrismaClient | Tx;

export type AlertKind = 'send_failed' | 'intake_failed' | 'no_recipient' | 'unbound_unit';

export interface AlertInput {
  kind: AlertKind;
  /** what it is about (a delivery id, an outbox id, a notice, an assignment); a second alert about it is ignored */
  ref: string;
  /** whose coordinators are told; null: the admins */
  areaCode?: string | null;
  petitionId?: string | null;
  /** short and masked (platform, error class, unit name): no personal data */
  detail: string;
  /** nobody can be told (the alert message itself failed, or nobody is registered): listed, not sent */
  silent?: boolean;
}

/** Error text that may carry what a person wrote, reduced to something safe to show (personal data masked). */
export function safeDetail(text: string, max = 160): string {
  return maskText(text.replace(/\s+/g, ' ')).slice(0, max);
}

/** Record alerts (one statement); returns how many were new. */
export async function raiseAlerts(db: DbOrTx, alerts: AlertInput[], now: Date): Promise<number> {
  if (!alerts.length) return 0;
  const col = <T>(f: (a: AlertInput) => T) => alerts.map((a) => f(a) ?? null);
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "Alert" (id, kind, ref, "areaCode", "petitionId", detail, "createdAt", "notifiedAt")
    SELECT gen_random_uuid(), k, r, a, p, d, ${now}, CASE WHEN s THEN ${now}::timestamp(3) END
      FROM unnest(${col((a) => a.kind)}::text[], ${col((a) => a.ref)}::text[], ${col((a) => a.areaCode)}::text[],
                  ${col((a) => a.petitionId)}::text[], ${col((a) => safeDetail(a.detail, 300))}::text[], ${col((a) => !!a.silent)}::boolean[]) AS t(k, r, a, p, d, s)
    ON CONFLICT (kind, ref) DO NOTHING RETURNING id`;
  return rows.length;
}
