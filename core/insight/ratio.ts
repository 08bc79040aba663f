/**
 * Exact rationals for assessment figures. Rates are computed from integer
 * counts and rational weights, so a published 2/3 can be checked against the
 * stored ratings without rounding arguments. BigInt inside; numbers outside.
 */
import { AppError } from '../errors.js';

export interface Ratio {
  num: number;
  den: number;
  /** num / den as a float, for display and sorting */
  value: number;
}

type Big = { n: bigint; d: bigint };

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function big(n: bigint, d: bigint): Big {
  if (d === 0n) throw new AppError('division_by_zero', 'ratio with zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

function out(b: Big): Ratio {
  return { num: Number(b.n), den: Number(b.d), value: Number(b.n) / Number(b.d) };
}

/** a / b, or null when b is 0 (no data: not a zero rate). */
export function ratio(a: number, b: number): Ratio | null {
  if (b === 0) return null;
  return out(big(BigInt(a), BigInt(b)));
}

/** A decimal weight (0.9, 0.1) as an exact fraction; at most 6 decimal places. */
export function weightFraction(w: number): Big {
  const scaled = Math.round(w * 1e6);
  if (!Number.isFinite(w) || Math.abs(scaled - w * 1e6) > 1e-6) {
    throw new AppError('invalid_weight', `weight ${w} needs more than 6 decimal places`);
  }
  return big(BigInt(scaled), 1_000_000n);
}

/** Σ wᵢ·cᵢ / den, exact; null when den is 0. Weights are decimals, counts integers. */
export function weightedRatio(terms: [weight: number, count: number][], den: number): Ratio | null {
  if (den === 0) return null;
  let acc: Big = { n: 0n, d: 1n };
  for (const [w, c] of terms) {
    const f = weightFraction(w);
    acc = big(acc.n * f.d + f.n * BigInt(c) * acc.d, acc.d * f.d);
  }
  return out(big(acc.n, acc.d * BigInt(den)));
}

/** Σ wᵢ·rᵢ over ratios (null ratios make the sum null). */
export function weightedSum(terms: [weight: number, r: Ratio | null][]): Ratio | null {
  let acc: Big = { n: 0n, d: 1n };
  for (const [w, r] of terms) {
    if (!r) return null;
    const f = weightFraction(w);
    acc = big(acc.n * f.d * BigInt(r.den) + f.n * BigInt(r.num) * acc.d, acc.d * f.d * BigInt(r.den));
  }
  return out(acc);
}

/** a − b, exact; null if either is null. */
export function subtract(a: Ratio | null, b: Ratio | null): Ratio | null {
  if (!a || !b) return null;
  return out(big(BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den), BigInt(a.den) * BigInt(b.den)));
}

/** Exact comparison: negative if a < b. */
export function compare(a: Ratio, b: Ratio): number {
  const l = BigInt(a.num) * BigInt(b.den);
  const r = BigInt(b.num) * BigInt(a.den);
  return l < r ? -1 : l > r ? 1 : 0;
}

/** "2/3" style text; with `percent`, "66.67%". */
export function formatRatio(r: Ratio | null, style: 'fraction' | 'percent' = 'percent', digits = 2): string {
  if (!r) return '—';
  return style === 'fraction' ? `${r.num}/${r.den}` : `${(r.value * 100).toFixed(digits)}%`;
}
