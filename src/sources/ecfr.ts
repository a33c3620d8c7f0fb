import { AppError } from '../errors.js';
import { nameProbeKey, parseEntityCell } from '../entity-list/entity-cell.js';
import { numberWord } from '../entity-list/numbers.js';
import {
  readEntityListTable,
  rowEntry,
  rowFootnoteRefs,
  TABLE_TAGS,
  tableNotes,
} from '../entity-list/table.js';
import type { Entry, ListedEntry, Snapshot } from '../entity-list/types.js';
import {
  attr,
  childElements,
  childrenOf,
  findAll,
  tagOf,
  textContent,
  type XmlNode,
} from '../rule-xml/nodes.js';
import { parseFederalRegisterXml } from '../rule-xml/safe-parse.js';

/**
 * Supplement No. 4 to part 744 (the Entity List) in eCFR XML: parse it into a snapshot, and
 * render a snapshot as the eCFR versioner would serve it (`/api/versioner/v1/full/{date}/
 * title-15.xml?part=744`). Pure.
 *
 * The eCFR prints the Supplement as an HTML-like table (`<TABLE>`, `<TR>`, `<TH>`, `<TD>`, cells
 * with `<br/>`, `<sup>` footnote marks, notes in `<DIV class="table_foot">`); Federal Register XML
 * prints the same table as `<GPOTABLE>`, `<ROW>`, `<ENT>`, `<LI>`, `<SU>`, `<TNOTE>`. Both are read
 * by the Federal Register extractor's table and Entity cell readers (`entity-list/table.ts`,
 * `entity-list/entity-cell.ts`), after the same safe parse.
 * Columns: Country | Entity | License requirement | License review policy | Federal Register
 * citation. The country is printed on the first row of each destination only.
 */

export const SUPPLEMENT_4_TITLE = 'Supplement No. 4 to Part 744';

/**
 * Roots of eCFR XML: a part or smaller unit from the versioner (`DIV5` for `part=744`), a whole
 * title (`ECFR`, `DIV1`), or the govinfo bulk file (`DLPSTEXTCLASS`).
 */
export const ECFR_ROOTS: ReadonlySet<string> = new Set([
  'ECFR',
  'DLPSTEXTCLASS',
  'ECFRBRWS',
  'DIV1',
  'DIV2',
  'DIV3',
  'DIV4',
  'DIV5',
  'DIV6',
  'DIV7',
  'DIV8',
  'DIV9',
]);

/** A whole title runs larger than one rule; part 744 alone is a few megabytes. */
const ECFR_MAX_BYTES = 64 * 1024 * 1024;

export interface EcfrParseOptions {
  /** The date the text is as of (the versioner date asked for). */
  asOf: string;
  /** Where the XML came from, for messages. */
  label?: string;
  /**
   * Names to expect (e.g. the current state's), used to tell where a name ends when a cell has
   * no alias marker and the name itself contains commas.
   */
  knownNames?: readonly string[];
}

export interface EcfrParseReport {
  rows: number;
  entries: number;
  /** Rows skipped: header and star rows, `[Reserved]`, rows without an entity or destination. */
  skipped: number;
  /** How entry names were delimited (see `ParsedEntityCell.nameBy`). */
  nameBy: Record<string, number>;
  warnings: string[];
}

const SUPPLEMENT_4 = /supplement\s+no\.?\s*4\s+to\s+part\s+744/i;

function isSupplement4(el: XmlNode): boolean {
  const tag = tagOf(el) ?? '';
  if (!/^DIV\d$/.test(tag) && tag !== 'APPENDIX') return false;
  if (SUPPLEMENT_4.test(attr(el, 'N') ?? '')) return true;
  const head = childElements(el).find((c) => tagOf(c) === 'HEAD' || tagOf(c) === 'HD');
  return head !== undefined && SUPPLEMENT_4.test(textContent(head));
}

function findSupplement4(node: XmlNode): XmlNode | undefined {
  for (const child of childrenOf(node)) {
    if (tagOf(child) === undefined) continue;
    if (isSupplement4(child)) return child;
    const deep = findSupplement4(child);
    if (deep) return deep;
  }
  return undefined;
}

/** Rows that hold no entry: a `[Reserved]` place, or stars in the Entity cell. */
const NOT_AN_ENTRY = /^(?:[*\s]*|\s*\[Reserved\].*)$/is;

/** Parses the eCFR XML of part 744 (or any XML holding Supplement No. 4) into a snapshot. */
export function parseEcfrSupplement4(
  xml: string,
  options: EcfrParseOptions,
): { snapshot: Snapshot; report: EcfrParseReport } {
  const label = options.label ?? 'eCFR part 744';
  const { root, rootTag } = parseFederalRegisterXml(xml, {
    source: label,
    roots: ECFR_ROOTS,
    limits: { maxBytes: ECFR_MAX_BYTES },
  });
  const supplement = isSupplement4(root) ? root : findSupplement4(root);
  if (!supplement) {
    throw new AppError(
      'SOURCE_INVALID',
      `${label}: no ${SUPPLEMENT_4_TITLE} (a DIV9 TYPE="APPENDIX" with N="${SUPPLEMENT_4_TITLE}") in the XML; was part=744 asked for?`,
      { context: { root: rootTag } },
    );
  }
  const knownNames = options.knownNames ? new Set(options.knownNames.map(nameProbeKey)) : undefined;
  const notes = tableNotes(supplement);
  const report: EcfrParseReport = { rows: 0, entries: 0, skipped: 0, nameBy: {}, warnings: [] };
  const entries: ListedEntry[] = [];
  let country = '';
  for (const table of findAll(supplement, TABLE_TAGS)) {
    const read = readEntityListTable(table, label, { country });
    report.rows += read.rowCount;
    report.warnings.push(...read.warnings.map((w) => w.message));
    for (const row of read.rows) {
      country = row.country;
      const entityText = row.entity.map((s) => s.text.replace(/\uE001[^\uE001]*\uE001/g, '')).join(' ');
      if (!row.country || NOT_AN_ENTRY.test(entityText)) continue;
      const cell = parseEntityCell(row.entity, knownNames ? { knownNames } : {});
      report.nameBy[cell.nameBy] = (report.nameBy[cell.nameBy] ?? 0) + 1;
      entries.push({ country: row.country, ...rowEntry(row, cell, notes) });
      for (const mark of rowFootnoteRefs(row, cell)) {
        if (!notes.has(mark))
          report.warnings.push(`${label}: ${cell.name}: footnote ${mark} has no note text`);
      }
    }
  }
  report.entries = entries.length;
  report.skipped = report.rows - report.entries;
  return { snapshot: { asOf: options.asOf, entries }, report };
}

export interface EcfrRenderOptions {
  /** AMDDATE-style text ("Oct. 9, 2019"); default derived from `snapshot.asOf`. */
  amendedOn?: string;
}

const MONTHS = [
  'Jan.',
  'Feb.',
  'Mar.',
  'Apr.',
  'May',
  'June',
  'July',
  'Aug.',
  'Sept.',
  'Oct.',
  'Nov.',
  'Dec.',
];

function amdDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (!y || !m || !d) return iso;
  return `${MONTHS[m - 1]} ${d}, ${y}`;
}

const TD = '<TD align="left" class="gpotbl_cell">';

/**
 * Renders a snapshot as eCFR XML of part 744 holding Supplement No. 4: entries grouped under their
 * destination (sorted by destination, then name, as the eCFR prints them), the country printed on
 * the first row of each destination, footnotes numbered in order of first use.
 */
export function renderEcfrPart744(snapshot: Snapshot, options: EcfrRenderOptions = {}): string {
  const entries = [...snapshot.entries].sort(
    (a, b) => a.country.localeCompare(b.country) || a.name.localeCompare(b.name),
  );
  const noteNumbers = new Map<string, string>();
  const rows: string[] = [];
  let last = '';
  for (const e of entries) {
    const marks: string[] = [];
    for (const note of e.footnotes ?? []) {
      if (!noteNumbers.has(note)) noteNumbers.set(note, String(noteNumbers.size + 1));
      marks.push(noteNumbers.get(note)!);
    }
    const countryCell = e.country === last ? '' : escapeXml(e.country);
    last = e.country;
    const cites = e.federalRegisterCitations.length ? `${e.federalRegisterCitations.join('. ')}.` : '';
    rows.push(
      `<TR>\n${TD}${countryCell}</TD>\n${TD}${renderEntityCell(e, marks)}</TD>\n` +
        `${TD}${escapeXml(e.licenseRequirement)}</TD>\n${TD}${escapeXml(e.licenseReviewPolicy)}</TD>\n${TD}${escapeXml(cites)}</TD>\n</TR>`,
    );
  }
  const notes = [...noteNumbers.entries()]
    .map(([text, n]) => `<P class="gpotbl_note"><sup>${n}</sup> ${escapeXml(text)}</P>`)
    .join('\n');
  const header = [
    'Country',
    'Entity',
    'License requirement',
    'License review policy',
    'Federal Register citation',
  ]
    .map((h) => `<TH class="gpotbl_colhed" scope="col">${h}</TH>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<DIV5 N="744" NODE="15:2.1.3.4.28" TYPE="PART">',
    '<HEAD>PART 744—CONTROL POLICY: END-USER AND END-USE BASED</HEAD>',
    `<AMDDATE>${escapeXml(options.amendedOn ?? amdDate(snapshot.asOf))}</AMDDATE>`,
    `<DIV9 N="${SUPPLEMENT_4_TITLE}" NODE="15:2.1.3.4.28.14.4" TYPE="APPENDIX">`,
    `<HEAD>${SUPPLEMENT_4_TITLE}—Entity List</HEAD>`,
    '<DIV width="100%">',
    '<DIV class="gpotbl_div">',
    '<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">',
    `<TR>\n${header}\n</TR>`,
    ...rows,
    '</TABLE>',
    '</DIV>',
    notes ? `<DIV class="table_foot">\n${notes}\n</DIV>` : '',
    '</DIV>',
    '</DIV9>',
    '</DIV5>',
    '',
  ]
    .filter((l) => l !== '' || false)
    .join('\n');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for element content or attribute values. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESC[c]!);
}

function withPeriod(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

/**
 * An entry's Entity cell in the eCFR's markup: the name and its footnote marks, then the aliases
 * each on their own line ("a.k.a., the following two aliases:" and "—A;", "—B."), then the
 * addresses ("A; and B.") on the line after them, or after a comma when there are no aliases.
 */
function renderEntityCell(
  entry: Pick<Entry, 'name' | 'aliases' | 'addresses'>,
  marks: readonly string[],
): string {
  let out = escapeXml(entry.name);
  for (const mark of marks) out += `<sup>${escapeXml(mark)}</sup>`;
  const addresses = entry.addresses.length === 0 ? '' : joinAddresses(entry.addresses);
  if (entry.aliases.length > 0) {
    const n = entry.aliases.length;
    out += `, a.k.a., the following ${numberWord(n)} ${n === 1 ? 'alias' : 'aliases'}:`;
    entry.aliases.forEach((alias, i) => {
      const sep = i === n - 1 ? '' : i === n - 2 ? '; and' : ';';
      out += `<br/>${escapeXml(`\u2014${i === n - 1 ? withPeriod(alias) : alias + sep}`)}`;
    });
    if (addresses) out += `<br/>${escapeXml(addresses)}`;
    return out;
  }
  if (addresses) return `${out}, ${escapeXml(addresses)}`;
  return entry.name.endsWith('.') && marks.length === 0 ? out : `${out}.`;
}

function joinAddresses(addresses: readonly string[]): string {
  if (addresses.length === 1) return withPeriod(addresses[0]!);
  const head = addresses.slice(0, -1).join('; ');
  return `${head}; and ${withPeriod(addresses[addresses.length - 1]!)}`;
}
