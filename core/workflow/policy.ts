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
  /** how long a message waits for the resident to say whether it is their open petition's problem; then it is filed as new */
  repeatChoiceWaitMs: number;
  /** how long an emergency without a place waits for the resident's answer before the coordinator is alerted */
  emergencyPlaceWaitMs: number;
  whistleReportMs: number;
  /** how long a unit's question to the resident (询问) holds the feedback clock before it runs again by itself */
  residentWaitMs: number;
  clusterThreshold: number;
  clusterWindowMs: number;
  /** count limits longer than a day (7 d, 15 d, extensions of days) in working days: Chinese holidays and make-up days (调休) */
  workingDays: boolean;
  /** 延期: the most approved extensions of one order, and the most days they may add up to (ARCHITECTURE.md says why) */
  extensionLimits: Record<Urgency, { count: number; totalDays: number }>;
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
  repeatChoiceWaitMs: 30 * 60_000,
  emergencyPlaceWaitMs: 5 * 60_000,
  whistleReportMs: 30 * 60_000,
  residentWaitMs: 48 * HOUR_MS,
  clusterThreshold: 3,
  clusterWindowMs: 7 * DAY_MS,
  workingDays: true,
  extensionLimits: {
    emergency: { count: 1, totalDays: 1 },
    utilities: { count: 1, totalDays: 3 },
    ordinary: { count: 2, totalDays: 15 },
    complex: { count: 2, totalDays: 30 },
  },
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
  EMERGENCY_PLACE_WAIT_MINUTES?: number;
  REPEAT_CHOICE_WAIT_MINUTES?: number;
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
    emergencyPlaceWaitMs: (c.EMERGENCY_PLACE_WAIT_MINUTES ?? 5) * 60_000,
    repeatChoiceWaitMs: (c.REPEAT_CHOICE_WAIT_MINUTES ?? 30) * 60_000,
    whistleReportMs: c.WHISTLE_REPORT_MINUTES * 60_000,
    clusterThreshold: c.CLUSTER_THRESHOLD,
    workingDays: c.WORKING_DAY_CALENDAR,
    phoneRevealsPerDay: c.PHONE_REVEALS_PER_DAY ?? DEFAULT_POLICY.phoneRevealsPerDay,
  };
}
