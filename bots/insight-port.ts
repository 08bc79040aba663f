/**
 * What coordinator commands need from core/insight: a text report and, where
 * the channel can show it, a chart image.
 */
import type { Staff } from '../prisma/generated/client.js';
import type { Work } from '../core/workflow/context.js';

export interface Report {
  text: string;
  png?: Buffer;
}

export interface Insight {
  stats(w: Work, coordinator: Staff, period?: string): Promise<Report>;
  hotspots(w: Work, coordinator: Staff): Promise<Report>;
}
