import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDefaultOrg, listUnitsByShortName, seedDefaultOrg, seedReferenceData } from '../../core/org/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDefaultOrg(t.db);
});
afterAll(() => t?.drop());

describe('reference data', () => {
  it('has the 16 districts and 343 streets/townships, each under its district', async () => {
    expect(await t.db.area.count({ where: { level: 'district' } })).toBe(16);
    const streets = await t.db.area.findMany({ where: { level: 'street' }, include: { parent: true } });
    expect(streets).toHaveLength(343);
    expect(streets.every((s) => s.parent?.level === 'district' && s.code.startsWith(`${s.parentCode}-`))).toBe(true);
    const sanlitun = streets.find((s) => s.code === '110105-sanlitun');
    expect(sanlitun).toMatchObject({ name: '三里屯街道', kind: 'street', parentCode: '110105' });
    expect(sanlitun?.aliases).toContain('三里屯');
  });

  it('is idempotent', async () => {
    const again = await seedReferenceData(t.db);
    expect(again.areas).toEqual({ created: 0, updated: 0, unchanged: 359 });
    expect(again.categories.created + again.categories.updated).toBe(0);
    expect(await t.db.area.count()).toBe(359);
  });
});

describe('default org', () => {
  it('gives every district its departments and government, every street its office', async () => {
    const units = await t.db.unit.findMany();
    const ids = new Set(units.map((u) => u.id));
    const districts = await t.db.area.findMany({ where: { level: 'district' } });
    const districtTypes = await t.db.departmentType.findMany({ where: { level: { in: ['district', 'government'] } } });
    expect(districtTypes.length).toBeGreaterThanOrEqual(16);
    for (const d of districts) for (const type of districtTypes) expect(ids.has(`${d.code}:${type.code}`)).toBe(true);
    const streets = await t.db.area.findMany({ where: { level: 'street' } });
    for (const s of streets) expect(ids.has(`${s.code}:street_office`)).toBe(true);

    const byId = new Map(units.map((u) => [u.id, u]));
    expect(byId.get('110105:urban_mgmt')?.name).toBe('朝阳区城市管理委员会');
    expect(byId.get('110105:district_gov')?.name).toBe('朝阳区人民政府');
    expect(byId.get('110105-sanlitun:street_office')?.name).toBe('三里屯街道办事处');
    expect(byId.get('city:heating_company')).toMatchObject({ areaCode: null, name: '北京市热力集团' });
    // 镇/乡 have governments, 地区 an office
    const kindName = (kind: string) => streets.find((s) => s.kind === kind)!;
    const town = kindName('town');
    const township = kindName('township');
    const area = kindName('area');
    expect(byId.get(`${town.code}:street_office`)?.name).toBe(`${town.name}人民政府`);
    expect(byId.get(`${township.code}:street_office`)?.name).toMatch(/乡人民政府$/);
    expect(byId.get(`${area.code}:street_office`)?.name).toBe(`${area.name}办事处`);
  });

  it('routes every category in every district to an existing unit or the street office', async () => {
    const [categories, districts, rules, units] = await Promise.all([
      t.db.category.findMany(),
      t.db.area.findMany({ where: { level: 'district' }, include: { children: true } }),
      t.db.routingRule.findMany(),
      t.db.unit.findMany({ select: { id: true } }),
    ]);
    const unitIds = new Set(units.map((u) => u.id));
    expect(categories).toHaveLength(27);
    for (const c of categories) {
      for (const d of districts) {
        const leads = rules.filter((r) => r.categoryCode === c.code && r.role === 'lead' && (r.areaCode === d.code || r.areaCode === null));
        expect(leads.length, `${c.code} in ${d.name}`).toBeGreaterThan(0);
        for (const r of leads) {
          if (r.target === 'street_office') {
            expect(r.unitId).toBeNull();
            expect(d.children.every((s) => unitIds.has(`${s.code}:street_office`))).toBe(true);
          } else {
            expect(unitIds.has(r.unitId!), `${c.code} in ${d.name} → ${r.unitId}`).toBe(true);
          }
        }
      }
    }
    // the handler decides: district department, street office, or a city enterprise
    expect(rules.find((r) => r.categoryCode === 'noise' && r.areaCode === '110105')?.unitId).toBe('110105:ecology_env');
    expect(rules.find((r) => r.categoryCode === 'property' && r.areaCode === '110105')?.target).toBe('street_office');
    expect(rules.filter((r) => r.categoryCode === 'heating')).toEqual([expect.objectContaining({ areaCode: null, unitId: 'city:heating_company' })]);
  });

  it('re-seeding creates nothing and keeps edited units', async () => {
    await t.db.unit.update({ where: { id: '110105:water' }, data: { name: '朝阳区水务局（测试改名）' } });
    const again = await seedDefaultOrg(t.db);
    const built = buildDefaultOrg();
    expect(again.units).toEqual({ created: 0, updated: 0, unchanged: built.units.length });
    expect(again.rules).toEqual({ created: 0, updated: 0, unchanged: built.rules.length });
    expect(await t.db.unit.count()).toBe(built.units.length);
    expect((await t.db.unit.findUniqueOrThrow({ where: { id: '110105:water' } })).name).toBe('朝阳区水务局（测试改名）');
    await t.db.unit.update({ where: { id: '110105:water' }, data: { name: '朝阳区水务局' } });
  });
});

describe('listUnitsByShortName', () => {
  const ids = async (short: string, district = '110105', streetCode?: string) =>
    (await listUnitsByShortName(t.db, district, short, { streetCode })).map((u) => u.id);

  it('finds the district department a coordinator whistles for', async () => {
    expect(await ids('城管')).toEqual(['110105:urban_mgmt']);
    expect(await ids('执法')).toEqual(['110105:urban_enforcement']);
    expect(await ids('@交警')).toEqual(['110105:traffic_police']);
    expect(await ids('住建', '110108')).toEqual(['110108:housing']);
    expect(await ids('派出所')).toEqual(['110105:police']);
  });

  it('finds city enterprises and street offices', async () => {
    expect(await ids('热力')).toEqual(['city:heating_company']);
    expect(await ids('街道', '110105', '110105-sanlitun')).toEqual(['110105-sanlitun:street_office']);
    const all = await ids('街道');
    expect(all.length).toBe(await t.db.area.count({ where: { parentCode: '110105' } }));
  });

  it('finds nothing for unknown names or other districts', async () => {
    expect(await ids('不存在的部门')).toEqual([]);
    expect(await ids('')).toEqual([]);
    expect(await ids('110108:housing')).toEqual([]);
  });
});
