/**
 * Prometheus metrics. `createMetrics()` builds one registry per process (no
 * globals, so tests and several apps in one process do not collide).
 *
 * Collected on scrape (always current, nothing to keep in sync):
 *   shaosheng_petitions{status}            petitions per lifecycle state (Postgres)
 *   shaosheng_queue_jobs{queue,state}      BullMQ job counts per queue and state (Redis)
 *   shaosheng_alerts_total{kind}           failures that had to reach a person (Postgres, core/alerts.ts)
 * Counted by the code that sees the event (call the methods on the instance):
 *   shaosheng_send_failures_total{platform,reason}   recordSendFailure()
 *   shaosheng_platform_rate_limited_total{platform}  recordRateLimited()  (HTTP 429 / WeCom 45009)
 *   shaosheng_deadline_breaches_total{kind}          recordDeadlineBreach() (dispatch, accept, feedback, whistle_report…)
 *   shaosheng_metrics_collect_errors_total{source}   a scrape-time query failed (values keep their last reading)
 * Default Node process metrics are included unless `defaultMetrics: false`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from './db.js';
import type { Logger } from './log.js';
import type { AlertKind } from './alerts.js';

/** The part of a BullMQ Queue we read (kept narrow so tests and other backends can supply it). */
export interface QueueLike {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export const PETITION_STATUSES = [
  'received', 'needs_info', 'dispatched', 'accepted', 'in_progress', 'resolved', 'rated', 'closed',
  'returned', 'reopen_requested', 'reopened', 'merged', 'withdrawn', 'redirected',
] as const;

const ALERT_KINDS: readonly AlertKind[] = ['send_failed', 'intake_failed', 'no_recipient', 'unbound_unit'];

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

export interface MetricsOptions {
  db?: PrismaClient;
  queues?: QueueLike[];
  logger?: Logger;
  /** default true */
  defaultMetrics?: boolean;
}

export interface Metrics {
  registry: Registry;
  recordSendFailure(platform: string, reason: string): void;
  recordRateLimited(platform: string): void;
  recordDeadlineBreach(kind: string): void;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'shaosheng_' });

  // One collection per scrape, shared by every metric that reports it: prom-client
  // reads metrics concurrently, so the error counter must await the same work.
  const petitionCounts = new Map<string, number>();
  const alertCounts = new Map<string, number>();
  const queueCounts = new Map<string, Record<string, number>>();
  const errors: string[] = [];
  let pending: Promise<void> | null = null;
  const collectAll = (): Promise<void> =>
    (pending ??= (async () => {
      errors.length = 0;
      const tasks: Promise<void>[] = (opts.queues ?? []).map(async (q) => {
        try {
          queueCounts.set(q.name, await q.getJobCounts(...QUEUE_STATES));
        } catch (err) {
          errors.push(`queue:${q.name}`);
          opts.logger?.warn({ err, queue: q.name }, 'metrics: queue counts failed');
        }
      });
      if (opts.db) {
        const db = opts.db;
        tasks.push(
          (async () => {
            try {
              const groups = await db.petition.groupBy({ by: ['status'], _count: { _all: true } });
              petitionCounts.clear();
              for (const g of groups) petitionCounts.set(g.status, g._count._all);
            } catch (err) {
              errors.push('petitions');
              opts.logger?.warn({ err }, 'metrics: petition counts failed');
            }
          })(),
          (async () => {
            try {
              const groups = await db.alert.groupBy({ by: ['kind'], _count: { _all: true } });
              alertCounts.clear();
              for (const g of groups) alertCounts.set(g.kind, g._count._all);
            } catch (err) {
              errors.push('alerts');
              opts.logger?.warn({ err }, 'metrics: alert counts failed');
            }
          })(),
        );
      }
      await Promise.all(tasks);
    })().finally(() => {
      pending = null;
    }));

  new Gauge({
    name: 'shaosheng_petitions',
    help: 'Petitions per lifecycle state',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!opts.db) return;
      await collectAll();
      if (errors.includes('petitions')) return;
      for (const s of PETITION_STATUSES) this.set({ status: s }, petitionCounts.get(s) ?? 0);
    },
  });

  new Gauge({
    name: 'shaosheng_queue_jobs',
    help: 'BullMQ jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      await collectAll();
      for (const [name, counts] of queueCounts) for (const s of QUEUE_STATES) this.set({ queue: name, state: s }, counts[s] ?? 0);
    },
  });

  new Counter({
    name: 'shaosheng_metrics_collect_errors_total',
    help: 'Scrape-time collections that failed (the gauge keeps its last value)',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      await collectAll();
      for (const source of errors) this.inc({ source });
    },
  });

  // Alerts are rows in Postgres (never deleted): the count is the same whichever process is scraped.
  new Counter({
    name: 'shaosheng_alerts_total',
    help: 'Failures that had to reach a person (send_failed, intake_failed, no_recipient, unbound_unit)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      if (!opts.db) return;
      await collectAll();
      if (errors.includes('alerts')) return;
      this.reset();
      for (const kind of ALERT_KINDS) this.inc({ kind }, alertCounts.get(kind) ?? 0);
    },
  });

  const sendFailures = new Counter({
    name: 'shaosheng_send_failures_total',
    help: 'Outbound messages that failed for good (after retries)',
    labelNames: ['platform', 'reason'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'shaosheng_platform_rate_limited_total',
    help: 'Platform rate-limit answers (Telegram 429, WeCom 45009/45033)',
    labelNames: ['platform'],
    registers: [registry],
  });
  const breaches = new Counter({
    name: 'shaosheng_deadline_breaches_total',
    help: 'Deadlines that passed before the action (dispatch, accept, feedback, whistle report…)',
    labelNames: ['kind'],
    registers: [registry],
  });

  return {
    registry,
    recordSendFailure: (platform, reason) => sendFailures.inc({ platform, reason }),
    recordRateLimited: (platform) => rateLimited.inc({ platform }),
    recordDeadlineBreach: (kind) => breaches.inc({ kind }),
  };
}

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** default /metrics */
  path?: string;
  /** when set, scrapers must send `Authorization: Bearer <token>` */
  bearerToken?: string;
}

/** GET /metrics in the Prometheus text format. */
export async function metricsRoute(fastify: FastifyInstance, opts: MetricsRouteOptions): Promise<void> {
  fastify.get(opts.path ?? '/metrics', async (req, reply) => {
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (opts.bearerToken && !timingSafeEqual(digest(req.headers.authorization ?? ''), digest(`Bearer ${opts.bearerToken}`))) {
      return reply.code(401).send('unauthorized');
    }
    const body = await opts.metrics.registry.metrics();
    return reply.type(opts.metrics.registry.contentType).send(body);
  });
}
