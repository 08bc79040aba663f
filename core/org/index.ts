export { seedReferenceData, referenceRows, type ReferenceSeedResult } from './reference.js';
export {
  buildDefaultOrg,
  seedDefaultOrg,
  streetOfficeName,
  unitIdFor,
  ruleKey,
  DEFAULT_SHORT_NAMES,
  STREET_OFFICE,
  DISTRICT_GOV,
  type UnitRow,
  type RuleRow,
  type DefaultOrgSeedResult,
} from './default-org.js';
export { listUnitsByShortName, normalizeShortName, type UnitSummary } from './units.js';
export { importOrg, exportOrg, parseOrgFile, orgFileSchema, OrgFileError, type OrgFile, type OrgFileProblem, type ChatIdRule, type OrgImportResult } from './import.js';
export { createBindCode, redeemBindCode, resolveBindTarget, generateBindCode, BIND_CODE_TTL_MS, type BindTarget } from './bind-code.js';
export { loadTaxonomy, type Taxonomy } from './taxonomy.js';
export type { SyncCounts, DbOrTx } from './sync.js';
