/**
 * Curated landmarks residents use to say where they are. Each entry names the
 * street code(s) it lies in; entries that straddle a boundary list several and
 * always produce a question, never a guess. `source` says what the entry was
 * checked against.
 */
import { readFileSync } from 'node:fs';

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

/**
 * The dictionary lives in landmarks.json (one entry per line). An entry with
 * no streets is a blocker: a road or phrase that crosses many streets or is
 * not a place at all (东四环 must not read as 东四, 高岭土 as 高岭镇).
 */
export const LANDMARKS: Landmark[] = JSON.parse(readFileSync(new URL('./landmarks.json', import.meta.url), 'utf8')) as Landmark[];
