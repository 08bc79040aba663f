/**
 * Curated landmarks residents use to say where they are. Each entry names the
 * street code(s) it lies in; entries that straddle a boundary list several and
 * always produce a question, never a guess. `source` says what the entry was
 * checked against.
 */
export type LandmarkKind =
  | 'subway'
  | 'hospital'
  | 'university'
  | 'park'
  | 'mall'
  | 'business'
  | 'railway'
  | 'road'
  | 'hutong'
  | 'bridge'
  | 'estate'
  | 'venue'
  | 'sight'
  | 'government';

export interface Landmark {
  names: string[];
  /** Latin spellings (pinyin or English), matched on word boundaries. */
  latin?: string[];
  kind: LandmarkKind;
  streets: string[];
  source: string;
  /** Common word too: only with a location cue (在/住/附近 …) or next to another place. */
  weak?: boolean;
}

export const LANDMARKS: Landmark[] = [];
