import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOrg, importOrg, OrgFileError, seedDefaultOrg } from '../../core/org/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { CHAT_ID_RULES } from '../../adapters/chat-ids.js';

const example = readFileSync(new URL('../../docs/org.example.yaml', import.meta.url), 'utf8');

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDefaultOrg(t.db);
});
afterAll(() => t?.drop());

/** Everything an import can touch, for "nothing changed" checks. */
const snapshot = async () => ({
  units: await t.db.unit.findMany({ orderBy: { id: 'asc' }, omit: { createdAt: true } }),
  staff: await t.db.staff.findMany({ orderBy: { platformUserId: 'asc' }, omit: { createdAt: true } }),
  bindings: await t.db.chatBinding.findMany({ orderBy: { chatId: 'asc' }, omit: { createdAt: true } }),
  rules: await t.db.routingRule.findMany({ orderBy: { id: 'asc' } }),
});

async function rejection(yaml: string): Promise<OrgFileError> {
  const err = await importOrg(t.db, yaml, { fileName: 'org.yaml' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OrgFileError);
  return err as OrgFileError;
}

describe('importOrg', () => {
  it('rejects a bad file with line and field, and changes nothing', async () => {
    const before = await snapshot();
    const bad = [
      'units:', //                                      1
      '  - id: "110105:urban_mgmt"', //                 2
      '    name: 改过名的城管委', //                      3
      '    typeCode: urban_mgmt', //                    4
      '    areaCode: "110105"', //                      5
      'staff:', //                                      6
      '  - { platform: telegram, userId: "1", role: boss, unit: "110105:urban_mgmt" }', // 7
    ].join('\n');
    const err = await rejection(bad);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ line: 7, path: 'staff[0].role' });
    expect(err.problems[0]!.column).toBe(line7Column(bad, 'boss'));
    expect(err.message).toContain('org.yaml:7:');
    expect(err.message).toContain('staff[0].role');
    expect(await snapshot()).toEqual(before);
  });

  it('reports every unknown reference with its position, and changes nothing', async () => {
    const before = await snapshot();
    const bad = `units:
  - id: new_unit
    name: 新单位
    typeCode: no_such_type
    areaCode: "999999"
bindings:
  - platform: telegram
    chatId: -100200300
    unit: "110105:cityhall"
routes:
  - category: noise
    area: "110105"
    unit: new_unit
  - category: aliens
    unit: street_office
staff:
  - platform: telegram
    userId: 42
    role: staff
    unit: "110105:urban_mgmt"
    shortname: x
`;
    const err = await rejection(bad);
    const got = err.problems.map((p) => `${p.line} ${p.path} ${p.message}`);
    // shape problems are reported before references are looked at
    expect(got).toEqual([`21 staff[0].shortname unknown field "shortname"`]);
    expect(await snapshot()).toEqual(before);

    const err2 = await rejection(bad.replace('    shortname: x\n', ''));
    expect(err2.problems.map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      `4 units[0].typeCode unknown department type "no_such_type"`,
      `5 units[0].areaCode unknown area "999999"`,
      `9 bindings[0].unit unknown unit "110105:cityhall"`,
      `14 routes[1].category unknown category "aliens"`,
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('reports YAML syntax errors with their line', async () => {
    const err = await rejection('staff:\n  - platform: telegram\n    userId: "1\n');
    expect(err.problems[0]!.line).toBeGreaterThanOrEqual(3);
    const dup = await rejection('units:\n  - id: a\n    id: b\n');
    expect(dup.problems[0]!.line).toBe(3);
  });

  it('imports the example file, and a second import changes nothing', async () => {
    const first = await importOrg(t.db, example, { chatIds: CHAT_ID_RULES });
    expect(first.units).toEqual({ created: 1, updated: 0, unchanged: 1 });
    expect(first.staff.created).toBe(5); // with a steward and a lane chief
    expect(first.bindings.created).toBe(2);
    expect(first.routes).toEqual({ created: 2, updated: 0, unchanged: 2 }); // noise lead and sanitation are default rules

    const staff = await t.db.staff.findUniqueOrThrow({ where: { platform_platformUserId: { platform: 'wecom', platformUserId: 'lifang' } } });
    expect(staff).toMatchObject({ role: 'coordinator', areaCode: '110105-sanlitun', unitId: null, displayName: '李芳' });
    const binding = await t.db.chatBinding.findUniqueOrThrow({ where: { platform_chatId: { platform: 'telegram', chatId: '-1001234567890' } } });
    expect(binding.unitId).toBe('110105:urban_mgmt');
    const rule = await t.db.routingRule.findFirstOrThrow({ where: { categoryCode: 'public_security', areaCode: '110105-sanlitun' } });
    expect(rule).toMatchObject({ unitId: '110105:sanlitun_police_station', role: 'lead', priority: 10 });

    const before = await snapshot();
    const second = await importOrg(t.db, example);
    for (const c of [second.units, second.staff, second.bindings, second.routes]) expect(c.created + c.updated).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('updates changed rows in place', async () => {
    const edited = example.replace('name: 王伟', 'name: 王伟伟').replace('priority: 10', 'priority: 20');
    const r = await importOrg(t.db, edited);
    expect(r.staff).toEqual({ created: 0, updated: 1, unchanged: 4 });
    expect(r.routes).toEqual({ created: 0, updated: 1, unchanged: 3 });
    expect(await t.db.routingRule.count({ where: { categoryCode: 'public_security', areaCode: '110105-sanlitun' } })).toBe(1);
  });

  it('refuses chat ids the platform cannot send to, naming the accepted forms, and changes nothing', async () => {
    const before = await snapshot();
    const bad = [
      'bindings:', //                                                                      1
      '  - { platform: wecom, chatId: wrOgQhDgAAcwMTB7YmDkbeBsgT_KAAAA, area: "110105-sanlitun" }', // 2
      '  - { platform: telegram, chatId: my-group, unit: "110105:urban_mgmt" }', //        3
      '  - { platform: wecom, chatId: "chat:unit_chengguan", unit: "110105:urban_mgmt" }', // 4
      '  - { platform: telegram, chatId: "-1009876543210", unit: "110105:urban_mgmt" }', // 5
    ].join('\n');
    const err = await importOrg(t.db, bad, { fileName: 'org.yaml', chatIds: CHAT_ID_RULES }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrgFileError);
    const problems = (err as OrgFileError).problems;
    expect(problems.map((p) => `${p.line} ${p.path}`)).toEqual(['2 bindings[0].chatId', '3 bindings[1].chatId']);
    expect(problems[0]!.message).toMatch(/chat:<chatid>.*user:<userid>.*robot:<name>/);
    expect(problems[0]!.message).toContain('customer-group');
    expect(problems[1]!.message).toMatch(/-1001234567890/);
    expect(await snapshot()).toEqual(before);
  });

  it('dry run reports and writes nothing', async () => {
    const before = await snapshot();
    const r = await importOrg(t.db, 'units:\n  - { id: dry_unit, name: 试运行, typeCode: water, areaCode: "110105" }\n', { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, units: { created: 1 } });
    expect(await snapshot()).toEqual(before);
  });

  it('registers stewards and lane chiefs with their places; a lane chief without lanes is refused', async () => {
    const err = await rejection('staff:\n  - { platform: telegram, userId: "77", role: lane_chief, area: "110105-sanlitun" }\n');
    expect(err.problems.map((p) => p.path)).toContain('staff[0].places');
    const r = await importOrg(t.db, 'staff:\n  - { platform: telegram, userId: "78", role: steward, area: "110105-sanlitun", places: [幸福村社区] }\n');
    expect(r.staff.created).toBe(1);
    expect(await t.db.staff.findFirstOrThrow({ where: { platformUserId: '78' } })).toMatchObject({ role: 'steward', areaCode: '110105-sanlitun', places: ['幸福村社区'] });
    expect(await exportOrg(t.db)).toMatch(/userId: "78"[\s\S]*places:[\s\S]*幸福村社区/);
  });

  it('export then import is a no-op', async () => {
    const before = await snapshot();
    const text = await exportOrg(t.db);
    const r = await importOrg(t.db, text);
    for (const c of [r.units, r.staff, r.bindings, r.routes]) expect(c.created + c.updated).toBe(0);
    expect(r.units.unchanged).toBe(before.units.length);
    expect(r.routes.unchanged).toBe(before.rules.length);
    expect(await snapshot()).toEqual(before);
  });
});

function line7Column(text: string, token: string): number {
  return text.split('\n')[6]!.indexOf(token) + 1;
}
