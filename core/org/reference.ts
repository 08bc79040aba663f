/**
 * Reference data from core/taxonomy: the 16 districts and 343 streets/townships
 * (Area), petition categories (Category) and department types (DepartmentType).
 * Idempotent: rows are created or brought up to date, never duplicated.
 */
import { loadTaxonomy } from './taxonomy.js';
import { inTransaction, syncRows, type DbOrTx, type SyncCounts } from './sync.js';

export interface ReferenceSeedResult {
  areas: SyncCounts;
  categories: SyncCounts;
  departmentTypes: SyncCounts;
}

export function referenceRows() {
  const t = loadTaxonomy();
  const districts = t.districts.map((d) => ({
    code: d.code,
    name: d.name,
    level: 'district' as const,
    kind: null,
    parentCode: null,
    gbCode: d.code,
    aliases: d.aliases,
  }));
  const streets = t.districts.flatMap((d) =>
    d.streets.map((s) => ({
      code: s.code,
      name: s.name,
      level: 'street' as const,
      kind: s.kind,
      parentCode: d.code,
      gbCode: s.gb_code ?? null,
      aliases: s.aliases,
    })),
  );
  const categories = t.categories.map((c) => ({
    code: c.code,
    nameZh: c.name_zh,
    nameEn: c.name_en,
    handler: c.handler,
    scopeZh: c.scope_zh,
    urgentWhen: c.urgent_when,
  }));
  const departmentTypes = t.department_types.map((d) => ({ code: d.code, nameZh: d.name_zh, level: d.level }));
  return { districts, streets, categories, departmentTypes };
}

export async function seedReferenceData(db: DbOrTx): Promise<ReferenceSeedResult> {
  const rows = referenceRows();
  return inTransaction(db, async (tx) => {
    const existingAreas = await tx.area.findMany();
    const areaKey = (r: Record<string, unknown>) => String(r.code);
    // districts first: streets reference them
    const d = await syncRows({
      desired: rows.districts,
      existing: existingAreas,
      key: areaKey,
      createMany: (data) => tx.area.createMany({ data }),
      update: ({ code, ...data }) => tx.area.update({ where: { code }, data }),
    });
    const s = await syncRows({
      desired: rows.streets,
      existing: existingAreas,
      key: areaKey,
      createMany: (data) => tx.area.createMany({ data }),
      update: ({ code, ...data }) => tx.area.update({ where: { code }, data }),
    });
    const categories = await syncRows({
      desired: rows.categories,
      existing: await tx.category.findMany(),
      key: (r) => String(r.code),
      createMany: (data) => tx.category.createMany({ data }),
      update: ({ code, ...data }) => tx.category.update({ where: { code }, data }),
    });
    const departmentTypes = await syncRows({
      desired: rows.departmentTypes,
      existing: await tx.departmentType.findMany(),
      key: (r) => String(r.code),
      createMany: (data) => tx.departmentType.createMany({ data }),
      update: ({ code, ...data }) => tx.departmentType.update({ where: { code }, data }),
    });
    return {
      areas: { created: d.created + s.created, updated: d.updated + s.updated, unchanged: d.unchanged + s.unchanged },
      categories,
      departmentTypes,
    };
  });
}
