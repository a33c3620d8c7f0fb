import { AppError } from '../errors.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import { cellText, parseEntityCell, renderEntityCell, type CellText } from './entity-cell.js';
import { collapse, splitCitations } from './text.js';
import {
  escapeXml,
  findAll,
  findFirst,
  isElement,
  parseXml,
  textOf,
  type XElement,
  type XNode,
} from './xml.js';

/**
 * Supplement No. 4 to part 744 (the Entity List) in eCFR XML: parse it into a snapshot, and
 * render a snapshot as the eCFR versioner would serve it (`/api/versioner/v1/full/{date}/
 * title-15.xml?part=744`). Pure.
 *
 * The eCFR prints the Supplement as an HTML-like table (`<TABLE>`, `<TR>`, `<TH>`, `<TD>`, cells
 * with `<br/>`, `<sup>` footnote marks, notes in `<DIV class="table_foot">`); Federal Register XML
 * prints the same table as `<GPOTABLE>`, `<ROW>`, `<ENT>`, `<LI>`, `<SU>`, `<TNOTE>`. Both are read.
 * Columns: Country | Entity | License requirement | License review policy | Federal Register
 * citation. The country is printed on the first row of each destination only.
 */

export const SUPPLEMENT_4_TITLE = 'Supplement No. 4 to Part 744';

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
  /** Rows skipped: star rows, `[Reserved]`, rows without five cells. */
  skipped: number;
  /** How entry names were delimited (see `parseEntityCell`). */
  nameBy: Record<string, number>;
  warnings: string[];
}

function isSupplement4(e: XElement): boolean {
  if (!/^DIV\d$/.test(e.tag) && e.tag !== 'APPENDIX') return false;
  const n = e.attrs.N ?? '';
  if (/supplement\s+no\.?\s*4\s+to\s+part\s+744/i.test(n)) return true;
  const head = e.children.find((c): c is XElement => isElement(c) && (c.tag === 'HEAD' || c.tag === 'HD'));
  return head !== undefined && /supplement\s+no\.?\s*4\s+to\s+part\s+744/i.test(textOf(head));
}

interface Row {
  cells: XElement[];
}

function tableRows(scope: XElement): Row[] {
  const rows: Row[] = [];
  for (const tr of findAll(scope, (e) => e.tag === 'TR' || e.tag === 'ROW')) {
    const cells = tr.children.filter(
      (c): c is XElement => isElement(c) && (c.tag === 'TD' || c.tag === 'ENT'),
    );
    rows.push({ cells });
  }
  return rows;
}

/** Footnote texts by mark, from `<P class="gpotbl_note">` (eCFR) or `<TNOTE>` (FR). */
function footnotes(scope: XElement): Map<string, string> {
  const notes = new Map<string, string>();
  const nodes = findAll(
    scope,
    (e) => e.tag === 'TNOTE' || (e.tag === 'P' && /gpotbl_note/.test(e.attrs.class ?? '')),
  );
  for (const note of nodes) {
    const markEl = note.children.find(
      (c): c is XElement => isElement(c) && (c.tag === 'SU' || c.tag === 'sup'),
    );
    if (!markEl) continue;
    const mark = collapse(textOf(markEl));
    const text = collapse(
      note.children
        .filter((c) => c !== markEl)
        .map(textOf)
        .join(''),
    );
    if (mark && text) notes.set(mark, text);
  }
  return notes;
}

function plainCell(cell: XElement): CellText {
  return cellText(cell.children);
}

function joinCell(c: CellText): string {
  return collapse(c.lines.join(' '));
}

/** Parses the eCFR XML of part 744 (or any XML holding Supplement No. 4) into a snapshot. */
export function parseEcfrSupplement4(
  xml: string,
  options: EcfrParseOptions,
): { snapshot: Snapshot; report: EcfrParseReport } {
  const label = options.label ?? 'eCFR part 744';
  const root = parseXml(xml, { label });
  const supplement = isSupplement4(root) ? root : findFirst(root, isSupplement4);
  if (!supplement) {
    throw new AppError(
      'SOURCE_INVALID',
      `${label}: no ${SUPPLEMENT_4_TITLE} (a DIV9 TYPE="APPENDIX" with N="${SUPPLEMENT_4_TITLE}") in the XML; was part=744 asked for?`,
      { context: { root: root.tag } },
    );
  }
  const notes = footnotes(supplement);
  const report: EcfrParseReport = { rows: 0, entries: 0, skipped: 0, nameBy: {}, warnings: [] };
  const entries: ListedEntry[] = [];
  let country = '';
  for (const row of tableRows(supplement)) {
    report.rows++;
    if (row.cells.length !== 5) {
      report.skipped++;
      continue;
    }
    const [cCountry, cEntity, cReq, cPolicy, cCites] = row.cells.map(plainCell) as [
      CellText,
      CellText,
      CellText,
      CellText,
      CellText,
    ];
    const countryText = joinCell(cCountry);
    if (countryText && !/^\*/.test(countryText)) country = countryText.replace(/\s*\.$/, '');
    const entityText = joinCell(cEntity);
    if (!entityText || /^[*\s]+$/.test(entityText) || /^\[Reserved\]/i.test(entityText)) {
      report.skipped++;
      continue;
    }
    if (!country) {
      report.warnings.push(
        `${label}: row ${report.rows} has an entity (${entityText.slice(0, 60)}) before any country; skipped`,
      );
      report.skipped++;
      continue;
    }
    const parsed = parseEntityCell(cEntity, options.knownNames ? { knownNames: options.knownNames } : {});
    report.nameBy[parsed.nameBy] = (report.nameBy[parsed.nameBy] ?? 0) + 1;
    const entry: ListedEntry = {
      country,
      name: parsed.name,
      aliases: parsed.aliases,
      addresses: parsed.addresses,
      licenseRequirement: joinCell(cReq),
      licenseReviewPolicy: joinCell(cPolicy),
      federalRegisterCitations: splitCitations(joinCell(cCites)),
    };
    const marks = [...cEntity.marks, ...cReq.marks];
    const texts = marks.map((m) => notes.get(m)).filter((t): t is string => t !== undefined);
    if (texts.length > 0) entry.footnotes = [...new Set(texts)];
    for (const m of marks)
      if (!notes.has(m)) report.warnings.push(`${label}: ${entry.name}: footnote ${m} has no note text`);
    entries.push(entry);
  }
  report.entries = entries.length;
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
      `<TR>\n${TD}${countryCell}</TD>\n${TD}${renderEntityCell(e, { marks })}</TD>\n` +
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

/** Children of an XML string's root, for callers that hold a cell as text (tests). */
export function cellFromXml(fragment: string): CellText {
  const root = parseXml(`<C>${fragment}</C>`, { label: 'cell' });
  return cellText(root.children as XNode[]);
}
