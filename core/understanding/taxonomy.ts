/**
 * The petition categories, read from the project's taxonomy seed
 * (core/taxonomy/categories.json, a copy of the shared ground truth).
 */
import { readFileSync } from 'node:fs';

export const CATEGORY_CODES = [
  'property', 'heating', 'water_supply', 'drainage', 'power', 'gas', 'garbage', 'sanitation', 'noise',
  'pollution', 'illegal_construction', 'street_vending', 'parking', 'traffic', 'municipal_facility',
  'greening', 'market', 'food_safety', 'real_estate_registration', 'housing', 'labor', 'education',
  'health', 'public_security', 'civil_affairs', 'public_transport', 'other',
] as const;

export type CategoryCode = (typeof CATEGORY_CODES)[number];

export interface CategoryInfo {
  code: CategoryCode;
  name_zh: string;
  name_en: string;
  handler: string;
  scope_zh: string;
  urgent_when: string[];
}

interface CategoriesFile {
  categories: CategoryInfo[];
}

const file = JSON.parse(
  readFileSync(new URL('../taxonomy/categories.json', import.meta.url), 'utf8'),
) as CategoriesFile;

export const CATEGORIES: readonly CategoryInfo[] = file.categories;
export const CATEGORY_BY_CODE: ReadonlyMap<string, CategoryInfo> = new Map(CATEGORIES.map((c) => [c.code, c]));

// The code list above must match the seed exactly; a drift is a programming error caught at load.
{
  const seed = CATEGORIES.map((c) => c.code).sort().join(',');
  const ours = [...CATEGORY_CODES].sort().join(',');
  if (seed !== ours) throw new Error(`taxonomy drift: seed has ${seed}, code has ${ours}`);
}

export function isCategoryCode(v: unknown): v is CategoryCode {
  return typeof v === 'string' && CATEGORY_BY_CODE.has(v);
}

export const UTILITY_CATEGORIES: ReadonlySet<CategoryCode> = new Set(['heating', 'water_supply', 'power', 'gas']);
