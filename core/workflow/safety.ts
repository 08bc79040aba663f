/**
 * An emergency gets safety advice at once, before anything else is known (where it is, who handles
 * it): which advice is decided here from what the understanding found; bots/texts.ts words it.
 */
export type SafetyKind = 'gas' | 'fire' | 'medical' | 'crime' | 'general';

export interface SafetyFacts {
  urgency: string;
  categoryCode: string | null;
  urgencyReason?: string | null;
  triage?: string | null;
}

/** The advice an emergency needs, or null when it is not one. */
export function safetyKind(x: SafetyFacts): SafetyKind | null {
  if (x.urgency !== 'emergency') return null;
  const reason = x.urgencyReason ?? '';
  if (x.categoryCode === 'gas' || /燃气|煤气|天然气|gas/i.test(reason)) return 'gas';
  if (x.triage === '119' || /火|fire/i.test(reason)) return 'fire';
  if (x.triage === '120' || /120|中毒|呕吐/.test(reason)) return 'medical';
  if (x.triage === '110' || /110|打架|斗殴/.test(reason)) return 'crime';
  return 'general';
}
