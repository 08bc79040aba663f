/**
 * The project's copies of the shared taxonomy (core/taxonomy/*.json), read once
 * and checked with zod so a broken seed file fails loudly at start-up.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const streetSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['street', 'area', 'town', 'township']),
  aliases: z.array(z.string()).default([]),
  gb_code: z.string().optional(),
});
const districtSchema = z.object({
  code: z.string().regex(/^\d{6}$/),
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  streets: z.array(streetSchema),
});
const areasFile = z.object({ districts: z.array(districtSchema) });

const categoriesFile = z.object({
  categories: z.array(
    z.object({
      code: z.string().min(1),
      name_zh: z.string(),
      name_en: z.string(),
      handler: z.string().min(1),
      scope_zh: z.string(),
      urgent_when: z.array(z.string()).default([]),
    }),
  ),
  department_types: z.array(
    z.object({
      code: z.string().min(1),
      name_zh: z.string(),
      level: z.enum(['street', 'district', 'city_enterprise', 'government']),
    }),
  ),
});

export type TaxonomyDistrict = z.infer<typeof districtSchema>;
export type TaxonomyStreet = z.infer<typeof streetSchema>;
export type Taxonomy = { districts: TaxonomyDistrict[] } & z.infer<typeof categoriesFile>;

/** The district government: supervises street orders, takes orders with no identifiable unit. Not in categories.json. */
export const DISTRICT_GOV_TYPE = { code: 'district_gov', name_zh: '区人民政府', level: 'government' as const };

let cached: Taxonomy | undefined;

export function loadTaxonomy(): Taxonomy {
  if (cached) return cached;
  const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`../taxonomy/${name}`, import.meta.url), 'utf8'));
  const areas = areasFile.parse(read('areas.json'));
  const cats = categoriesFile.parse(read('categories.json'));
  const types = cats.department_types.some((t) => t.code === DISTRICT_GOV_TYPE.code)
    ? cats.department_types
    : [...cats.department_types, DISTRICT_GOV_TYPE];
  cached = { districts: areas.districts, categories: cats.categories, department_types: types };
  return cached;
}
