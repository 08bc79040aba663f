/**
 * What the workflow needs from the understanding module (core/understanding).
 * Declared narrowly so the workflow can be driven by the embedded classifier,
 * the LLM path, or a test double that returns fixed facts.
 */
import type { GeoPoint } from '../channel.js';
import type { Urgency } from '../../prisma/generated/client.js';

export interface PlaceFacts {
  districtCode: string | null;
  streetCode: string | null;
  community: string | null;
  address: string | null;
  method: string;
  confidence: number;
  candidates: { districtCode: string; streetCode: string | null; label: string }[];
}

export interface Understood {
  category: { code: string; confidence: number } | null;
  place: PlaceFacts;
  urgency: { class: Urgency; urgent: boolean; reason: string };
  triage: { kind: string; message_zh?: string; message_en?: string };
  summary: string;
  maskedText: string;
  needsLocation: boolean;
  needsMoreInfo: boolean;
  /** problem (default when absent), or praise / suggestion / consult / abuse: nothing to dispatch, or no place needed (咨询). */
  intent?: 'problem' | 'praise' | 'suggestion' | 'consult' | 'abuse';
  question?: { field: string; text_zh: string; text_en: string; choices: { label: string; value: string }[] };
}

export type Understand = (text: string, opts: { history?: string[]; location?: GeoPoint; lang?: 'zh' | 'en' }) => Promise<Understood>;
/** Place for a location pin (geocoder); null when none is configured or it cannot say. */
export type Locate = (point: GeoPoint) => Promise<PlaceFacts | null>;
