/**
 * The default organisation, built from the taxonomy alone:
 *  - per district: one unit per district-level department type
 *    (`110105:urban_mgmt` 朝阳区城市管理委员会) and the district government
 *    (`110105:district_gov` 朝阳区人民政府: supervises street orders and takes
 *    orders with no identifiable unit);
 *  - per street/township: its street office or township government
 *    (`110105-sanlitun:street_office` 三里屯街道办事处, X镇人民政府, X乡人民政府, X地区办事处);
 *  - city enterprises (`city:heating_company` 北京市热力集团, areaCode null);
 *  - routing rules from each category's `handler` (data: editable by org import).
 */
import { loadTaxonomy, DISTRICT_GOV_TYPE, type TaxonomyDistrict, type TaxonomyStreet } from './taxonomy.js';
import { seedReferenceData, type ReferenceSeedResult } from './reference.js';
import { inTransaction, syncRows, type DbOrTx, type SyncCounts } from './sync.js';

export const STREET_OFFICE = 'street_office';
export const DISTRICT_GOV = DISTRICT_GOV_TYPE.code;

export const unitIdFor = {
  district: (districtCode: string, typeCode: string) => `${districtCode}:${typeCode}`,
  districtGov: (districtCode: string) => `${districtCode}:${DISTRICT_GOV}`,
  streetOffice: (streetCode: string) => `${streetCode}:${STREET_OFFICE}`,
  city: (typeCode: string) => `city:${typeCode}`,
};

/** What coordinators type after /whistle (吹哨) to summon a department. */
export const DEFAULT_SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  urban_mgmt: ['城管委', '城管', '城市管理委'],
  urban_enforcement: ['城管执法', '执法', '综合执法', '城管执法局'],
  housing: ['住建', '住建委', '住房'],
  transport: ['交通', '交委', '交通委'],
  traffic_police: ['交管', '交警', '交通支队'],
  police: ['公安', '派出所', '公安分局'],
  ecology_env: ['环保', '生态环境', '生态环境局'],
  water: ['水务', '水务局'],
  market_regulation: ['市场监管', '市场监管局', '工商'],
  hrss: ['人社', '人社局'],
  education: ['教委', '教育'],
  health: ['卫健', '卫健委', '卫生'],
  civil_affairs: ['民政', '民政局'],
  landscaping: ['园林', '绿化', '园林绿化'],
  planning_natural_resources: ['规自', '规自委', '规划', '不动产'],
  heating_company: ['热力', '供暖'],
  water_group: ['自来水', '供水'],
  gas_group: ['燃气'],
  power_company: ['供电', '电力'],
  public_transit: ['公交', '地铁'],
  street_office: ['街道', '街乡', '乡镇', '街道办'],
  district_gov: ['区政府'],
};

/** Official-style names; the district name ends in 区 (朝阳区), `short` drops it (朝阳). */
const DISTRICT_UNIT_NAMES: Record<string, (district: string, short: string) => string> = {
  urban_mgmt: (d) => `${d}城市管理委员会`,
  urban_enforcement: (d) => `${d}城市管理综合行政执法局`,
  housing: (d) => `${d}住房和城乡建设委员会`,
  transport: (d) => `${d}交通委员会`,
  traffic_police: (_d, s) => `北京市公安局公安交通管理局${s}交通支队`,
  police: (_d, s) => `北京市公安局${s}分局`,
  ecology_env: (d) => `${d}生态环境局`,
  water: (d) => `${d}水务局`,
  market_regulation: (d) => `${d}市场监督管理局`,
  hrss: (d) => `${d}人力资源和社会保障局`,
  education: (d) => `${d}教育委员会`,
  health: (d) => `${d}卫生健康委员会`,
  civil_affairs: (d) => `${d}民政局`,
  landscaping: (d) => `${d}园林绿化局`,
  planning_natural_resources: (_d, s) => `北京市规划和自然资源委员会${s}分局`,
  district_gov: (d) => `${d}人民政府`,
};

const CITY_UNIT_NAMES: Record<string, string> = {
  heating_company: '北京市热力集团',
  water_group: '北京市自来水集团',
  gas_group: '北京市燃气集团',
  power_company: '国网北京市电力公司',
  public_transit: '北京公交集团/北京地铁运营公司',
};

export function streetOfficeName(street: Pick<TaxonomyStreet, 'name' | 'kind'>): string {
  // 街道 and 地区 (area offices) have an 办事处; 镇 and 乡 a people's government
  return street.kind === 'street' || street.kind === 'area' ? `${street.name}办事处` : `${street.name}人民政府`;
}

function districtUnitName(typeCode: string, typeNameZh: string, d: TaxonomyDistrict): string {
  const short = d.name.replace(/区$/, '');
  const named = DISTRICT_UNIT_NAMES[typeCode];
  // unknown (newly added) types: "区X局" → "朝阳区X局"
  return named ? named(d.name, short) : `${d.name}${typeNameZh.replace(/^区/, '')}`;
}

export interface UnitRow {
  id: string;
  name: string;
  typeCode: string;
  areaCode: string | null;
  shortNames: string[];
  [k: string]: unknown;
}

export interface RuleRow {
  categoryCode: string;
  areaCode: string | null;
  target: 'unit' | 'street_office';
  unitId: string | null;
  role: 'lead' | 'co';
  priority: number;
  [k: string]: unknown;
}

/** Identity of a routing rule (the table's unique key, with NULLs compared as equal). */
export function ruleKey(r: Record<string, unknown>): string {
  return [r.categoryCode, r.areaCode ?? '*', r.target, r.unitId ?? '-', r.role].map((v) => String(v)).join('|');
}

export function buildDefaultOrg(): { units: UnitRow[]; rules: RuleRow[] } {
  const t = loadTaxonomy();
  const levelOf = new Map(t.department_types.map((d) => [d.code, d.level]));
  const shortNames = (typeCode: string) => [...(DEFAULT_SHORT_NAMES[typeCode] ?? [])];
  const units: UnitRow[] = [];
  for (const d of t.districts) {
    for (const type of t.department_types) {
      if (type.level !== 'district' && type.level !== 'government') continue;
      units.push({
        id: unitIdFor.district(d.code, type.code),
        name: districtUnitName(type.code, type.name_zh, d),
        typeCode: type.code,
        areaCode: d.code,
        shortNames: shortNames(type.code),
      });
    }
    for (const s of d.streets) {
      units.push({
        id: unitIdFor.streetOffice(s.code),
        name: streetOfficeName(s),
        typeCode: STREET_OFFICE,
        areaCode: s.code,
        shortNames: shortNames(STREET_OFFICE),
      });
    }
  }
  for (const type of t.department_types) {
    if (type.level !== 'city_enterprise') continue;
    units.push({
      id: unitIdFor.city(type.code),
      name: CITY_UNIT_NAMES[type.code] ?? `北京市${type.name_zh}`,
      typeCode: type.code,
      areaCode: null,
      shortNames: shortNames(type.code),
    });
  }

  const rules: RuleRow[] = [];
  for (const c of t.categories) {
    const level = levelOf.get(c.handler);
    if (level === 'city_enterprise') {
      rules.push({ categoryCode: c.code, areaCode: null, target: 'unit', unitId: unitIdFor.city(c.handler), role: 'lead', priority: 0 });
      continue;
    }
    for (const d of t.districts) {
      if (c.handler === STREET_OFFICE) {
        rules.push({ categoryCode: c.code, areaCode: d.code, target: 'street_office', unitId: null, role: 'lead', priority: 0 });
      } else if (level === 'district' || level === 'government') {
        rules.push({ categoryCode: c.code, areaCode: d.code, target: 'unit', unitId: unitIdFor.district(d.code, c.handler), role: 'lead', priority: 0 });
      } else {
        throw new Error(`category ${c.code}: handler ${c.handler} is not a known department type`);
      }
    }
  }
  return { units, rules };
}

export interface DefaultOrgSeedResult {
  reference: ReferenceSeedResult;
  units: SyncCounts;
  rules: SyncCounts;
}

/**
 * Seeds reference data and the default org. Existing units and rules are left
 * as they are unless `overwrite` (edits made by an org import survive restarts);
 * missing ones are created. Idempotent.
 */
export async function seedDefaultOrg(db: DbOrTx, opts: { overwrite?: boolean } = {}): Promise<DefaultOrgSeedResult> {
  const { units, rules } = buildDefaultOrg();
  return inTransaction(db, async (tx) => {
    const reference = await seedReferenceData(tx);
    const unitCounts = await syncRows({
      desired: units,
      existing: await tx.unit.findMany({ select: { id: true, name: true, typeCode: true, areaCode: true, shortNames: true } }),
      key: (r) => String(r.id),
      overwrite: opts.overwrite ?? false,
      createMany: (data) => tx.unit.createMany({ data }),
      update: ({ id, ...data }) => tx.unit.update({ where: { id }, data }),
    });
    const ruleCounts = await syncRows({
      desired: rules,
      existing: await tx.routingRule.findMany(),
      key: ruleKey,
      overwrite: opts.overwrite ?? false,
      createMany: (data) => tx.routingRule.createMany({ data }),
      update: (row, current) => tx.routingRule.update({ where: { id: current.id as number }, data: { priority: row.priority } }),
    });
    return { reference, units: unitCounts, rules: ruleCounts };
  });
}
