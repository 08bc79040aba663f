/**
 * The org file (docs/org-file.md): units, staff, chat bindings and routing
 * rules in YAML. Import validates everything first (zod for shape, the database
 * for references), reporting every problem with its line:column and field path,
 * then writes all of it in one transaction with upserts: importing the same
 * file twice changes nothing. An import never deletes.
 */
import { Document, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { ruleKey, STREET_OFFICE } from './default-org.js';
import { inTransaction, syncRows, type DbOrTx, type SyncCounts } from './sync.js';

// ------------------------------------------------------------------ file shape

/** YAML reads unquoted 110105 or -1001234 as numbers; ids are strings. */
const idString = z.union([z.string().trim().min(1), z.number().int()]).transform((v) => String(v));
const platform = z.enum(['telegram', 'wecom']);

const unitSchema = z.strictObject({
  id: idString,
  name: z.string().trim().min(1),
  typeCode: z.string().trim().min(1),
  /** district or street code; omitted or null = city-wide */
  areaCode: idString.nullish(),
  shortNames: z.array(z.string().trim().min(1)).optional(),
});

const staffSchema = z
  .strictObject({
    platform,
    userId: idString,
    name: z.string().trim().min(1).optional(),
    role: z.enum(['staff', 'coordinator', 'admin', 'steward', 'lane_chief']),
    unit: idString.optional(),
    area: idString.optional(),
    /** stewards and lane chiefs: the communities or lanes (街巷) of their street they look after */
    places: z.array(z.string().trim().min(1)).optional(),
    language: z.enum(['zh', 'en']).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.unit && s.area) ctx.addIssue({ code: 'custom', path: ['area'], message: 'give either unit or area, not both' });
    if (s.role === 'staff' && !s.unit) ctx.addIssue({ code: 'custom', path: ['unit'], message: 'staff must belong to a unit' });
    if ((s.role === 'steward' || s.role === 'lane_chief') && (!s.area || !s.area.includes('-'))) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: `a ${s.role === 'steward' ? 'steward' : 'lane chief'} needs the street (area) they look after` });
    }
    if (s.role === 'lane_chief' && !s.places?.length) ctx.addIssue({ code: 'custom', path: ['places'], message: 'a lane chief needs the lanes or communities they are assigned to' });
    if (s.places?.length && s.role !== 'steward' && s.role !== 'lane_chief') ctx.addIssue({ code: 'custom', path: ['places'], message: 'only stewards and lane chiefs have places' });
    if (s.role === 'coordinator' && !s.unit && !s.area) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: 'a coordinator needs an area (or a unit)' });
    }
  });

const bindingSchema = z
  .strictObject({
    platform,
    chatId: idString,
    unit: idString.optional(),
    area: idString.optional(),
  })
  .superRefine((b, ctx) => {
    if (!!b.unit === !!b.area) ctx.addIssue({ code: 'custom', path: ['unit'], message: 'a binding needs exactly one of unit or area' });
  });

const routeSchema = z.strictObject({
  category: z.string().trim().min(1),
  /** district or street code; omitted = every area */
  area: idString.nullish(),
  /** a unit id, or `street_office` = the street office of the petition's street */
  unit: idString,
  role: z.enum(['lead', 'co']).default('lead'),
  priority: z.number().int().default(0),
});

export const orgFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  units: z.array(unitSchema).default([]),
  staff: z.array(staffSchema).default([]),
  bindings: z.array(bindingSchema).default([]),
  routes: z.array(routeSchema).default([]),
});

export type OrgFile = z.infer<typeof orgFileSchema>;

// ------------------------------------------------------------------ errors with positions

export interface OrgFileProblem {
  line: number;
  column: number;
  /** e.g. `staff[2].role` */
  path: string;
  message: string;
}

export class OrgFileError extends AppError {
  override readonly name = 'OrgFileError';
  constructor(
    readonly problems: OrgFileProblem[],
    readonly fileName = 'org file',
  ) {
    super(
      'org_file_invalid',
      `${fileName} is invalid, nothing was imported:\n  ${problems
        .map((p) => `${fileName}:${p.line}:${p.column} ${p.path || '(root)'}: ${p.message}`)
        .join('\n  ')}`,
    );
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

type Doc = ReturnType<typeof parseDocument>;

/** The YAML node at `path`, or the closest ancestor that exists; for a bad key, the key itself. */
function locate(doc: Doc, lc: LineCounter, path: readonly PropertyKey[], key?: string): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (!isNode(node)) continue;
    if (key && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      const k = pair && isNode(pair.key) ? (pair.key as Node) : undefined;
      if (k?.range) return lc.linePos(k.range[0]);
    }
    if (node.range) return lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

// ------------------------------------------------------------------ parse + validate

export interface ParsedOrgFile {
  org: OrgFile;
  /** position of a path in the file (for reference errors found later) */
  at(path: readonly PropertyKey[], message: string): OrgFileProblem;
}

/** Parses and shape-checks the YAML; throws OrgFileError listing every problem. */
export function parseOrgFile(yamlText: string, fileName?: string): ParsedOrgFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new OrgFileError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.code };
      }),
      fileName,
    );
  }
  const at = (path: readonly PropertyKey[], message: string, key?: string): OrgFileProblem => {
    const pos = locate(doc, lineCounter, path, key);
    return { line: pos.line, column: pos.col, path: formatPath(key ? [...path, key] : path), message };
  };
  const result = orgFileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => at(i.path, `unknown field "${k}"`, k)) : [at(i.path, i.message)],
    );
    throw new OrgFileError(sortProblems(problems), fileName);
  }
  return { org: result.data, at: (path, message) => at(path, message) };
}

function sortProblems(p: OrgFileProblem[]): OrgFileProblem[] {
  return p.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * A platform's rule for chat ids: null when `chatId` is one it can send to, else what is wrong, with the
 * accepted forms. The rules live in the adapters (adapters/chat-ids.ts); the CLI passes them in.
 */
export type ChatIdRule = (chatId: string) => string | null;

/** Reference checks against the database (and the file's own units); duplicates within the file; chat ids. */
async function checkReferences(tx: DbOrTx, parsed: ParsedOrgFile, chatIds: Partial<Record<string, ChatIdRule>> = {}): Promise<OrgFileProblem[]> {
  const { org, at } = parsed;
  const problems: OrgFileProblem[] = [];
  const [areas, categories, types, dbUnits] = await Promise.all([
    tx.area.findMany({ select: { code: true } }),
    tx.category.findMany({ select: { code: true } }),
    tx.departmentType.findMany({ select: { code: true } }),
    tx.unit.findMany({ select: { id: true } }),
  ]);
  const areaSet = new Set(areas.map((a) => a.code));
  const categorySet = new Set(categories.map((c) => c.code));
  const typeSet = new Set(types.map((t) => t.code));
  const unitSet = new Set([...dbUnits.map((u) => u.id), ...org.units.map((u) => u.id)]);

  const dupes = <T>(list: T[], key: (x: T) => string, path: (i: number) => PropertyKey[], what: string) => {
    const seen = new Map<string, number>();
    list.forEach((x, i) => {
      const k = key(x);
      const first = seen.get(k);
      if (first !== undefined) problems.push(at(path(i), `duplicate ${what} (first at ${formatPath(path(first))})`));
      else seen.set(k, i);
    });
  };
  dupes(org.units, (u) => u.id, (i) => ['units', i, 'id'], 'unit id');
  dupes(org.staff, (s) => `${s.platform}:${s.userId}`, (i) => ['staff', i, 'userId'], 'staff member');
  dupes(org.bindings, (b) => `${b.platform}:${b.chatId}`, (i) => ['bindings', i, 'chatId'], 'chat binding');
  dupes(org.routes, (r) => ruleKey(routeRow(r)), (i) => ['routes', i], 'route');

  const area = (code: string | null | undefined, path: PropertyKey[]) => {
    if (code != null && !areaSet.has(code)) problems.push(at(path, `unknown area "${code}"`));
  };
  const unit = (id: string | undefined, path: PropertyKey[]) => {
    if (id !== undefined && !unitSet.has(id)) problems.push(at(path, `unknown unit "${id}"`));
  };
  org.units.forEach((u, i) => {
    if (!typeSet.has(u.typeCode)) problems.push(at(['units', i, 'typeCode'], `unknown department type "${u.typeCode}"`));
    area(u.areaCode, ['units', i, 'areaCode']);
  });
  org.staff.forEach((s, i) => {
    unit(s.unit, ['staff', i, 'unit']);
    area(s.area, ['staff', i, 'area']);
  });
  org.bindings.forEach((b, i) => {
    unit(b.unit, ['bindings', i, 'unit']);
    area(b.area, ['bindings', i, 'area']);
    const wrong = chatIds[b.platform]?.(b.chatId);
    if (wrong) problems.push(at(['bindings', i, 'chatId'], wrong));
  });
  org.routes.forEach((r, i) => {
    if (!categorySet.has(r.category)) problems.push(at(['routes', i, 'category'], `unknown category "${r.category}"`));
    area(r.area, ['routes', i, 'area']);
    if (r.unit !== STREET_OFFICE) unit(r.unit, ['routes', i, 'unit']);
  });
  return sortProblems(problems);
}

function routeRow(r: OrgFile['routes'][number]) {
  const toStreetOffice = r.unit === STREET_OFFICE;
  return {
    categoryCode: r.category,
    areaCode: r.area ?? null,
    target: toStreetOffice ? 'street_office' : 'unit',
    unitId: toStreetOffice ? null : r.unit,
    role: r.role,
    priority: r.priority,
  };
}

// ------------------------------------------------------------------ import

export interface OrgImportResult {
  units: SyncCounts;
  staff: SyncCounts;
  bindings: SyncCounts;
  routes: SyncCounts;
  /** true when nothing was written (dry run) */
  dryRun: boolean;
}

class DryRunRollback extends Error {
  constructor(readonly result: OrgImportResult) {
    super('dry run');
  }
}

/**
 * Imports an org file. All or nothing: any problem (shape, unknown reference,
 * duplicate) throws OrgFileError before a single row changes. Needs the
 * reference data (seedReferenceData) for area, category and type checks.
 */
export async function importOrg(
  db: DbOrTx,
  yamlText: string,
  opts: { fileName?: string; dryRun?: boolean; /** each platform's chat-id rule (adapters/chat-ids.ts) */ chatIds?: Partial<Record<string, ChatIdRule>> } = {},
): Promise<OrgImportResult> {
  const parsed = parseOrgFile(yamlText, opts.fileName);
  const { org } = parsed;
  try {
    return await inTransaction(db, async (tx) => {
      const problems = await checkReferences(tx, parsed, opts.chatIds);
      if (problems.length) throw new OrgFileError(problems, opts.fileName);

      const unitRows = org.units.map((u) => ({
        id: u.id,
        name: u.name,
        typeCode: u.typeCode,
        areaCode: u.areaCode ?? null,
        ...(u.shortNames ? { shortNames: u.shortNames } : {}),
      }));
      const units = await syncRows({
        desired: unitRows,
        existing: await tx.unit.findMany({ where: { id: { in: unitRows.map((u) => u.id) } } }),
        key: (r) => String(r.id),
        createMany: (data) => tx.unit.createMany({ data: data.map((d) => ({ shortNames: [], ...d })) }),
        update: ({ id, ...data }) => tx.unit.update({ where: { id }, data }),
      });

      const staffRows = org.staff.map((s) => ({
        platform: s.platform,
        platformUserId: s.userId,
        role: s.role,
        unitId: s.unit ?? null,
        areaCode: s.area ?? null,
        ...(s.name !== undefined ? { displayName: s.name } : {}),
        ...(s.language !== undefined ? { language: s.language } : {}),
        ...(s.places !== undefined ? { places: s.places } : {}),
      }));
      const staffKey = (r: Record<string, unknown>) => `${String(r.platform)}:${String(r.platformUserId)}`;
      const staff = await syncRows({
        desired: staffRows,
        existing: await tx.staff.findMany({
          where: { OR: staffRows.map((s) => ({ platform: s.platform, platformUserId: s.platformUserId })) },
        }),
        key: staffKey,
        createMany: (data) => tx.staff.createMany({ data }),
        update: ({ platform: p, platformUserId, ...data }) =>
          tx.staff.update({ where: { platform_platformUserId: { platform: p, platformUserId } }, data }),
      });

      const bindingRows = org.bindings.map((b) => ({ platform: b.platform, chatId: b.chatId, unitId: b.unit ?? null, areaCode: b.area ?? null }));
      const bindings = await syncRows({
        desired: bindingRows,
        existing: await tx.chatBinding.findMany({ where: { OR: bindingRows.map((b) => ({ platform: b.platform, chatId: b.chatId })) } }),
        key: (r) => `${String(r.platform)}:${String(r.chatId)}`,
        createMany: (data) => tx.chatBinding.createMany({ data }),
        update: ({ platform: p, chatId, ...data }) => tx.chatBinding.update({ where: { platform_chatId: { platform: p, chatId } }, data }),
      });

      const routeRows = org.routes.map(routeRow);
      const routes = await syncRows({
        desired: routeRows,
        existing: await tx.routingRule.findMany({ where: { categoryCode: { in: [...new Set(routeRows.map((r) => r.categoryCode))] } } }),
        key: ruleKey,
        createMany: (data) => tx.routingRule.createMany({ data }),
        update: (row, current) => tx.routingRule.update({ where: { id: current.id as number }, data: { priority: row.priority } }),
      });

      const result: OrgImportResult = { units, staff, bindings, routes, dryRun: !!opts.dryRun };
      if (opts.dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result;
    throw err;
  }
}

// ------------------------------------------------------------------ export

/**
 * The whole org as an org file (units, staff, bindings, routes). Importing the
 * export into the same database changes nothing.
 */
export async function exportOrg(db: DbOrTx): Promise<string> {
  const [units, staff, bindings, rules] = await Promise.all([
    db.unit.findMany({ orderBy: { id: 'asc' } }),
    db.staff.findMany({ orderBy: [{ platform: 'asc' }, { platformUserId: 'asc' }] }),
    db.chatBinding.findMany({ orderBy: [{ platform: 'asc' }, { chatId: 'asc' }] }),
    db.routingRule.findMany({ orderBy: [{ categoryCode: 'asc' }, { areaCode: 'asc' }, { role: 'asc' }, { id: 'asc' }] }),
  ]);
  const file = {
    version: 1,
    units: units.map((u) => ({
      id: u.id,
      name: u.name,
      typeCode: u.typeCode,
      ...(u.areaCode ? { areaCode: u.areaCode } : {}),
      shortNames: u.shortNames,
    })),
    staff: staff.map((s) => ({
      platform: s.platform,
      userId: s.platformUserId,
      ...(s.displayName ? { name: s.displayName } : {}),
      role: s.role,
      ...(s.unitId ? { unit: s.unitId } : {}),
      ...(s.areaCode ? { area: s.areaCode } : {}),
      ...(s.places.length ? { places: s.places } : {}),
      language: s.language,
    })),
    bindings: bindings.map((b) => ({
      platform: b.platform,
      chatId: b.chatId,
      ...(b.unitId ? { unit: b.unitId } : {}),
      ...(b.areaCode ? { area: b.areaCode } : {}),
    })),
    routes: rules.map((r) => ({
      category: r.categoryCode,
      ...(r.areaCode ? { area: r.areaCode } : {}),
      unit: r.target === 'street_office' ? STREET_OFFICE : (r.unitId ?? ''),
      role: r.role,
      ...(r.priority ? { priority: r.priority } : {}),
    })),
  };
  const doc = new Document(file);
  // short lists on one line: shortNames: [城管委, 城管]
  file.units.forEach((_, i) => {
    const seq = doc.getIn(['units', i, 'shortNames'], true);
    if (isSeq(seq)) seq.flow = true;
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

