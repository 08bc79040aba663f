/**
 * Time limits and thresholds. Defaults follow Beijing's 接诉即办 rules
 * (../shared/notes/platforms.md); every number can be overridden per category.
 */
import type { Urgency } from '../../prisma/generated/client.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface Limits {
  dispatchMs: number;
  feedbackMs: number;
}

export interface Policy {
  byUrgency: Record<Urgency, Limits>;
  byCategory: Partial<Record<string, Partial<Limits>>>;
  /** reminders to the unit, as fractions of the feedback time */
  reminderFractions: readonly number[];
  /** escalation to the district at this multiple of the feedback time */
  districtEscalationFactor: number;
  repeatWindowMs: number;
  ratingWindowMs: number;
  ratingReminderAfterMs: number;
  /** how long a question to the resident (needs_info) waits for an answer before the petition goes on without it */
  infoWaitMs: number;
  whistleReportMs: number;
  clusterThreshold: number;
  clusterWindowMs: number;
  /** count ≥ 1-day limits in working days (Chinese holidays and make-up days) */
  workingDays: boolean;
  /** how many times one staff member may reveal a resident's phone in 24 h */
  phoneRevealsPerDay: number;
}

export const DEFAULT_POLICY: Policy = {
  byUrgency: {
    emergency: { dispatchMs: 1 * HOUR_MS, feedbackMs: 2 * HOUR_MS },
    utilities: { dispatchMs: 2 * HOUR_MS, feedbackMs: 24 * HOUR_MS },
    ordinary: { dispatchMs: 24 * HOUR_MS, feedbackMs: 7 * DAY_MS },
    complex: { dispatchMs: 24 * HOUR_MS, feedbackMs: 15 * DAY_MS },
  },
  byCategory: {},
  reminderFractions: [0.5, 0.8],
  districtEscalationFactor: 3,
  repeatWindowMs: 30 * DAY_MS,
  ratingWindowMs: 14 * DAY_MS,
  ratingReminderAfterMs: 2 * DAY_MS,
  infoWaitMs: 24 * HOUR_MS,
  whistleReportMs: 30 * 60_000,
  clusterThreshold: 3,
  clusterWindowMs: 7 * DAY_MS,
  workingDays: false,
  phoneRevealsPerDay: 20,
};

export function limitsFor(policy: Policy, urgency: Urgency, categoryCode: string | null): Limits {
  const base = policy.byUrgency[urgency];
  const over = (categoryCode && policy.byCategory[categoryCode]) || {};
  return { ...base, ...over };
}

export function policyFromConfig(c: {
  REPEAT_WINDOW_DAYS: number;
  RATING_WINDOW_DAYS: number;
  INFO_WAIT_HOURS: number;
  WHISTLE_REPORT_MINUTES: number;
  CLUSTER_THRESHOLD: number;
  WORKING_DAY_CALENDAR: boolean;
  PHONE_REVEALS_PER_DAY?: number;
}): Policy {
  return {
    ...DEFAULT_POLICY,
    repeatWindowMs: c.REPEAT_WINDOW_DAYS * DAY_MS,
    ratingWindowMs: c.RATING_WINDOW_DAYS * DAY_MS,
    infoWaitMs: c.INFO_WAIT_HOURS * HOUR_MS,
    whistleReportMs: c.WHISTLE_REPORT_MINUTES * 60_000,
    clusterThreshold: c.CLUSTER_THRESHOLD,
    workingDays: c.WORKING_DAY_CALENDAR,
    phoneRevealsPerDay: c.PHONE_REVEALS_PER_DAY ?? DEFAULT_POLICY.phoneRevealsPerDay,
  };
}
