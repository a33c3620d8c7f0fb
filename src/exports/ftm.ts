/**
 * The list as FollowTheMoney entities (the model of OpenSanctions, yente and Aleph): per entry a
 * legal entity and a `Sanction` pointing at it. Pure.
 *
 * Property names and limits follow the model of `@alephdata/followthemoney` (the tests validate
 * every entity against it). A value longer than its property allows is cut at a word boundary and
 * kept whole in `notes`, except names, which are never cut: a screening match needs all of one.
 */
import { createHash } from 'node:crypto';
import { keyOf } from '../entity-list/snapshot.js';
import type { ListedEntry } from '../entity-list/types.js';
import type { EffectiveDates } from './csl.js';
import { startDate } from './csl.js';
import { codeForName } from '../sources/countries.js';
import { ftmCountry } from './countries.js';
import { citationUrl, parseCitation } from './dates.js';

export type FtmSchema = 'Company' | 'Organization' | 'Person' | 'LegalEntity' | 'Sanction';

export interface FtmEntity {
  id: string;
  schema: FtmSchema;
  properties: Record<string, string[]>;
}

export const FTM_AUTHORITY = 'Bureau of Industry and Security';
export const FTM_PROGRAM = 'Entity List (15 CFR part 744, Supplement No. 4)';
const ID_PREFIX = 'us-bis-el';

/**
 * Ids from the entry's stable key (destination and normalised name), so the same entry keeps its
 * ids across runs, releases and revisions of its other fields.
 */
export function ftmEntityId(entry: Pick<ListedEntry, 'country' | 'name'>, occurrence = 1): string {
  return `${ID_PREFIX}-${digest(keyOf(entry))}${suffix(occurrence)}`;
}

export function ftmSanctionId(entry: Pick<ListedEntry, 'country' | 'name'>, occurrence = 1): string {
  return `${ID_PREFIX}-sanction-${digest(keyOf(entry))}${suffix(occurrence)}`;
}

/**
 * A list can print one name twice under one destination (eCFR does, for entries listed with
 * different addresses): the second and later get `-2`, `-3` in the export's (sorted) order.
 */
function suffix(occurrence: number): string {
  return occurrence > 1 ? `-${occurrence}` : '';
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

// --- Which kind of legal entity ------------------------------------------------------------------

/** Company forms, as words of the name (after lower-casing and dropping dots). */
const COMPANY_FORMS = new Set([
  ...['co', 'company', 'companies', 'corp', 'corporation', 'inc', 'incorporated', 'ltd', 'limited'],
  ...['llc', 'plc', 'pte', 'pvt', 'jsc', 'pjsc', 'ojsc', 'cjsc', 'ooo', 'oao', 'zao', 'pao', 'ao', 'tov'],
  ...['gmbh', 'ag', 'sa', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'kg', 'sdn', 'bhd', 'fze', 'fzco'],
  ...['fzc', 'fzllc', 'dmcc', 'llp', 'lp', 'sas', 'as', 'kft', 'sro', 'doo', 'ad', 'eood', 'ood', 'tic'],
  ...['sti', 'ltda', 'sac', 'sae', 'kk', 'bhd', 'tbk', 'pt', 'cv'],
]);

/** Words that make a name a business even without a company form. */
const BUSINESS_WORDS = new Set([
  ...['trading', 'trade', 'industries', 'industry', 'industrial', 'enterprise', 'enterprises', 'group'],
  ...['holding', 'holdings', 'technology', 'technologies', 'tech', 'electronics', 'electronic', 'logistics'],
  ...['shipping', 'airlines', 'airline', 'aviation', 'bank', 'manufacturing', 'engineering', 'services'],
  ...['systems', 'solutions', 'import', 'export', 'international', 'imp', 'exp', 'factory', 'works'],
  ...['plant', 'partnership', 'firm', 'store', 'shop', 'supply', 'supplies', 'components', 'semiconductor'],
  ...['semiconductors', 'devices', 'instruments', 'equipment', 'machinery', 'chemical', 'chemicals'],
  ...['petroleum', 'oil', 'energy', 'software', 'microelectronics', 'optoelectronics', 'telecom'],
  ...['communications', 'freight', 'marine', 'motors', 'pharmaceutical', 'network', 'networks'],
  ...['computer', 'computers', 'products', 'product', 'stores', 'cloud', 'digital', 'mobile', 'media'],
  ...['consulting', 'transport', 'construction', 'automation', 'robotics', 'ventures', 'capital'],
  ...['partners', 'investment', 'investments', 'resources', 'metals', 'steel', 'mills', 'materials'],
  ...['express', 'global', 'trust', 'commercial', 'distribution', 'parts', 'sciences', 'biotech'],
]);

/** Words that make a name a public body, institute or other organisation rather than a business. */
const ORGANIZATION_WORDS = new Set([
  ...['institute', 'institution', 'university', 'academy', 'college', 'school', 'laboratory'],
  ...['laboratories', 'lab', 'labs', 'center', 'centre', 'bureau', 'ministry', 'department', 'agency'],
  ...['administration', 'office', 'police', 'army', 'navy', 'force', 'forces', 'corps', 'brigade'],
  ...['battalion', 'regiment', 'division', 'directorate', 'committee', 'commission', 'council'],
  ...['association', 'foundation', 'society', 'union', 'hospital', 'government', 'authority'],
  ...['organization', 'organisation', 'guard', 'guards', 'command', 'service', 'detachment'],
  ...['station', 'fund', 'party', 'movement', 'front', 'federation', 'directorate', 'unit', 'base'],
  ...['headquarters', 'court', 'prison', 'camp', 'observatory', 'museum', 'church', 'mosque'],
]);

/** Name particles that occur inside personal names. */
const PERSONAL_PARTICLES = new Set([
  'al',
  'el',
  'bin',
  'bint',
  'ibn',
  'abu',
  'abd',
  'ur',
  'ul',
  'de',
  'del',
  'la',
  'le',
  'di',
  'van',
  'von',
  'der',
  'den',
  'da',
  'du',
  'dos',
]);

function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\./g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * The FollowTheMoney schema of an entry, as far as its text tells. The Entity List says nothing
 * about kinds, so the name decides, most certain first:
 *  1. a company form (`Co., Ltd.`, `LLC`, `GmbH`, `OOO`, `JSC`…) → `Company`;
 *  2. a word of public bodies, institutes and other bodies (`Institute`, `University`, `Academy`,
 *     `Bureau`, `Ministry`, `Police`, `Corps`, `Center`…) → `Organization`; else a business word
 *     (`Trading`, `Technology`, `Industries`, `Group`…) → `Company`;
 *  3. two to four words, each a capitalised word of letters (particles such as `al`, `bin`, `ur`,
 *     `de` allowed), no digits, no acronym in capitals, no country name → `Person`
 *     ("Emal Bilal Mangal", "Habib ur Rahman");
 *  4. anything else (a single word, an acronym, `Rosoboronexport`) → `LegalEntity`, the model's
 *     common parent, which claims nothing it cannot know.
 */
export function ftmSchemaOf(entry: Pick<ListedEntry, 'name'>): Exclude<FtmSchema, 'Sanction'> {
  const words = nameWords(entry.name);
  if (words.some((w) => COMPANY_FORMS.has(w))) return 'Company';
  if (words.some((w) => ORGANIZATION_WORDS.has(w))) return 'Organization';
  if (words.some((w) => BUSINESS_WORDS.has(w))) return 'Company';
  if (looksPersonal(entry.name)) return 'Person';
  return 'LegalEntity';
}

function looksPersonal(name: string): boolean {
  if (/[\d&/()"@,;]/.test(name)) return false;
  const tokens = name.trim().split(/\s+/);
  // "Huawei Cloud Argentina": a place in the name is a business's, not a person's.
  if (tokens.some((t) => codeForName(t) !== undefined)) return false;
  const named = tokens.filter((t) => !PERSONAL_PARTICLES.has(t.toLowerCase().replace(/-$/, '')));
  if (named.length < 2 || tokens.length > 5) return false;
  // Capitalised words of letters (hyphens and apostrophes inside), not all-capital acronyms.
  return named.every(
    (t) => /^\p{Lu}[\p{Ll}'’-]*(?:[-'’]\p{Lu}?[\p{Ll}]+)*\.?$/u.test(t) && /\p{Ll}/u.test(t),
  );
}

// --- Entities -------------------------------------------------------------------------------------

const LIMITS: Record<string, number> = {
  alias: 384,
  address: 250,
  provisions: 1024,
  program: 1024,
  authority: 1024,
};

/**
 * Adds a value under `prop`, cut to the model's limit with the whole text kept under `overflow`
 * (a text property: `notes` on legal entities, `summary` on sanctions).
 */
function put(
  props: Record<string, string[]>,
  prop: string,
  value: string | undefined,
  overflow = 'notes',
): void {
  if (value === undefined || value === '') return;
  const limit = LIMITS[prop];
  let v = value;
  if (limit !== undefined && v.length > limit) {
    (props[overflow] ??= []).push(value);
    const cut = v.slice(0, limit - 1);
    const space = cut.lastIndexOf(' ');
    v = `${space > limit / 2 ? cut.slice(0, space) : cut}…`;
  }
  const list = (props[prop] ??= []);
  if (!list.includes(v)) list.push(v);
}

export interface FtmOptions {
  effectiveDates?: EffectiveDates;
  /** Which listing of the same key in one export this is (1 for the first). */
  occurrence?: number;
}

/** The entry's legal entity and its `Sanction`, in that order. */
export function ftmEntities(entry: ListedEntry, options: FtmOptions = {}): [FtmEntity, FtmEntity] {
  const id = ftmEntityId(entry, options.occurrence);
  const country = ftmCountry(entry.country);
  const subject: Record<string, string[]> = { name: [entry.name] };
  for (const alias of entry.aliases) if (alias !== entry.name) put(subject, 'alias', alias);
  put(subject, 'country', country);
  for (const address of entry.addresses) put(subject, 'address', address);
  put(subject, 'topics', 'export.control');
  put(subject, 'program', FTM_PROGRAM);
  for (const note of entry.footnotes ?? []) put(subject, 'notes', note);
  for (const other of entry.seeAlso ?? []) put(subject, 'notes', `See alternate address under ${other}`);

  const citations = entry.federalRegisterCitations.map((c) => ({ text: c, parsed: parseCitation(c) }));
  const sanction: Record<string, string[]> = { entity: [id] };
  put(sanction, 'authority', FTM_AUTHORITY);
  put(sanction, 'country', 'us');
  put(sanction, 'program', FTM_PROGRAM);
  put(sanction, 'provisions', entry.licenseRequirement, 'summary');
  put(sanction, 'reason', entry.licenseReviewPolicy);
  put(sanction, 'startDate', startDate(entry, options.effectiveDates));
  for (const c of citations) if (c.parsed) put(sanction, 'sourceUrl', citationUrl(c.parsed));
  put(sanction, 'listingDate', citations[0]?.parsed?.date);
  if (citations.length > 0)
    put(sanction, 'description', `Federal Register: ${citations.map((c) => c.text).join('; ')}`);

  return [
    { id, schema: ftmSchemaOf(entry), properties: subject },
    { id: ftmSanctionId(entry, options.occurrence), schema: 'Sanction', properties: sanction },
  ];
}
