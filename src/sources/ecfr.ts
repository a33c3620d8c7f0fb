import { AppError } from '../errors.js';
import {
  crossReferences,
  nameProbeKey,
  parseEntityCell,
  splitAddresses,
  type ParsedEntityCell,
} from '../entity-list/entity-cell.js';
import { numberWord, parseCount } from '../entity-list/numbers.js';
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
import {
  isEntityTable,
  linesToSegments,
  readEcfrTable,
  splitEcfrCitations,
  type EcfrLine,
  type EcfrRow,
} from './ecfr-table.js';

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
export const ECFR_MAX_BYTES = 64 * 1024 * 1024;

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

/** How the end of each name was found (see `ParsedEntityCell.nameBy`), plus the list's own rules. */
export type EcfrNameRule =
  | ParsedEntityCell['nameBy']
  /** A name the same list delimits elsewhere by a marker or a line break (another destination's listing). */
  | 'list-name'
  /** Several rows of a destination print "Parent, Child, address": the child is part of the name. */
  | 'sibling-rule';

export interface AliasDisagreement {
  country: string;
  name: string;
  announced: number;
  read: number;
  /** Why the count differs: BIS's own miscount, or what else the cell announces. */
  why: string;
}

export interface EcfrParseReport {
  /** Table rows (`TR`) read, head and note rows included. */
  rows: number;
  entries: number;
  /** Rows with only an Entity cell, read as part of the entry above them. */
  continuationRows: number;
  /** `TR`s that held more than one entry's cells (read apart, with a warning). */
  mergedRows: number;
  /** Rows that are not entries: the head, note rows, `[Reserved]`, star rows, continuations. */
  skipped: number;
  nameBy: Partial<Record<EcfrNameRule, number>>;
  /** Rows announcing "a.k.a., the following N aliases": how many were read with N aliases. */
  announcedAliases: { rows: number; agree: number; disagreements: AliasDisagreement[] };
  /** Footnote notes found, marks in rows, marks linked to a note. */
  footnotes: { notes: number; marks: number; linked: number };
  /** Parties listed inside an entry (subordinate institutions, affiliated entities). */
  subordinates: number;
  warnings: string[];
}

/** An entry as the eCFR prints it: the contract's fields, and the parties listed inside it. */
export interface EcfrEntry extends ListedEntry {
  /** "Subordinate institution" and "Affiliated entities" listed in the entry's cell. */
  subordinates?: Array<{ name: string; aliases: string[]; addresses: string[] }>;
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
/** A line that begins the parties listed inside an entry. */
const SECTION_HEAD = /^(?:subordinate\s+institutions?|affiliated\s+entit(?:y|ies))\s*:?\s*$/i;
const AFFILIATED = /^affiliated\s+entit(?:y|ies)\s*:?\s*/i;
const ADDRESSES_APPLY = /^the\s+following\s+address(?:es)?\s+appl(?:y|ies)\b[^:]*:?\s*/i;
const ANNOUNCED = /,?\s*a\.k\.a\.?,?\s*(?:as\s+)?the\s+following\s+(\S+)\s+alias(?:es)?/i;
const CELL_CONTEXT = { keepLeadingAnd: false } as const;

interface ReadRow {
  row: EcfrRow;
  main: EcfrLine[];
  sections: EcfrLine[][];
  cell: ParsedEntityCell;
  rule: EcfrNameRule;
}

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
  const report: EcfrParseReport = {
    rows: 0,
    entries: 0,
    continuationRows: 0,
    mergedRows: 0,
    skipped: 0,
    nameBy: {},
    announcedAliases: { rows: 0, agree: 0, disagreements: [] },
    footnotes: { notes: 0, marks: 0, linked: 0 },
    subordinates: 0,
    warnings: [],
  };

  // The table's rows, and notes printed after it (older renderings: `<P class="gpotbl_note">`).
  const notes = tableNotes(supplement);
  const rows: EcfrRow[] = [];
  let country = '';
  for (const table of findAll(supplement, new Set(['TABLE']))) {
    if (!isEntityTable(table)) continue;
    const read = readEcfrTable(table, label, country);
    report.rows += read.trCount;
    report.mergedRows += read.mergedRows;
    report.warnings.push(...read.warnings);
    for (const [mark, text] of read.notes) notes.set(mark, text);
    for (const r of read.rows) {
      country = r.country;
      report.continuationRows += r.continuations.length;
      const text = r.entityLines.map((l) => l.text.replace(/\uE001[^\uE001]*\uE001/g, '')).join(' ');
      if (!r.country || NOT_AN_ENTRY.test(text)) continue;
      rows.push(r);
    }
  }
  // A Federal Register-style table (GPOTABLE) in the same place is read by the FR reader.
  if (rows.length === 0) return parseGpoTable(supplement, options, label, report);

  // Pass 1: each row on its own. Pass 2: rows whose name ended at a comma, again, knowing the names
  // the list itself delimits by markup. Pass 3: a parent's name printed before each child's.
  const known = new Set((options.knownNames ?? []).map(nameProbeKey));
  const read: ReadRow[] = rows.map((row) => readRow(row, known, 'none'));
  const listNames = new Set(known);
  for (const r of read) {
    if (r.cell.nameBy === 'marker' || r.cell.nameBy === 'line-break')
      listNames.add(nameProbeKey(r.cell.name));
  }
  for (let i = 0; i < read.length; i++) {
    const r = read[i]!;
    if (r.cell.nameBy !== 'comma-rule' && r.cell.nameBy !== 'whole-cell') continue;
    if (!namesAPrefix(r.main[0]?.text ?? '', r.cell.name, listNames)) continue;
    const again = readRow(r.row, listNames, 'list-name');
    if (again.cell.nameBy === 'known-name' && again.cell.name !== r.cell.name) read[i] = again;
  }
  applySiblingRule(read);

  const entries: EcfrEntry[] = [];
  for (const r of read) {
    const entry = toEntry(r, notes, label, report);
    entries.push(entry);
    report.nameBy[r.rule] = (report.nameBy[r.rule] ?? 0) + 1;
    checkAnnouncedAliases(r, entry, report);
  }
  report.footnotes.notes = notes.size;
  report.entries = entries.length;
  report.skipped = report.rows - report.entries;
  return { snapshot: { asOf: options.asOf, entries }, report };
}

/** Reads a row's Entity cell: its own part, then the parties listed after a section heading. */
function readRow(row: EcfrRow, knownNames: ReadonlySet<string>, ruleIfKnown: EcfrNameRule | 'none'): ReadRow {
  const sections: EcfrLine[][] = [];
  let main: EcfrLine[] = [];
  let current = main;
  for (const line of row.entityLines) {
    if (isSectionHead(line)) {
      current = [];
      sections.push(current);
      const rest = line.text.replace(AFFILIATED, '').trim();
      if (rest && !SECTION_HEAD.test(line.text)) current.push({ ...line, text: rest });
      continue;
    }
    current.push(line);
  }
  if (main.length === 0) main = row.entityLines;
  const cell = parseEntityCell(linesToSegments(main), {
    ...CELL_CONTEXT,
    lineEndsName: firstLineIsName(main),
    ...(knownNames.size > 0 ? { knownNames } : {}),
  });
  const rule: EcfrNameRule =
    cell.nameBy === 'known-name' && ruleIfKnown !== 'none' ? ruleIfKnown : cell.nameBy;
  return { row, main, sections, cell, rule };
}

/**
 * The first line of a cell is the name whole when it cannot hold an address: it has no comma
 * before its last character ("Joint Stock Company 766 UPTK.<br/>1 Institutskaya Street"), or a blank
 * line follows it ("Aerospace Information Research Institute, Chinese Academy of Sciences,<br/>
 * <br/> No. 9 …"); never when it holds a list ("…, China 300072; and<br/> <br/> 3rd Floor …").
 */
function firstLineIsName(lines: readonly EcfrLine[]): boolean {
  const first = lines[0];
  if (!first || lines.length < 2) return false;
  const text = first.text.replace(/\uE001[^\uE001]*\uE001/g, '').replace(/[\s,;:.]+$/, '');
  // A list of addresses ("…, Turkey; and …, Alanya<br/> <br/> Antalya 07450 Turkey.") is never a name.
  if (text.includes(';')) return false;
  if (!text.includes(',')) return true;
  return first.paragraphEnd;
}

function isSectionHead(line: EcfrLine): boolean {
  return SECTION_HEAD.test(line.text) || AFFILIATED.test(line.text);
}

/** Whether the line, cut at a comma past the name read so far, begins with one of `names`. */
function namesAPrefix(line: string, name: string, names: ReadonlySet<string>): boolean {
  for (let i = line.indexOf(',', name.length); i > 0 && i <= 300; i = line.indexOf(',', i + 1)) {
    if (names.has(nameProbeKey(line.slice(0, i)))) return true;
  }
  return false;
}

/**
 * "Academy of Military Medical Sciences, Institute of Basic Medicine, 27 Taiping Road, …" and six
 * more rows under one destination: when three or more rows would read the same name at their first
 * comma, each followed by a different next part, the next part names the child and belongs to the
 * name (one parent listing several of its institutes). Two rows with one name and different next
 * parts are more often one party's two listings (People's Steel Mills), so three is the threshold.
 */
function applySiblingRule(read: ReadRow[]): void {
  const groups = new Map<string, number[]>();
  read.forEach((r, i) => {
    if (r.cell.nameBy !== 'comma-rule') return;
    const key = `${r.row.country}\u0000${nameProbeKey(r.cell.name)}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  for (const members of groups.values()) {
    if (members.length < 3) continue;
    const children = members.map((i) => {
      const first = read[i]!.cell.addresses[0] ?? '';
      const comma = first.indexOf(',');
      return comma > 0 ? first.slice(0, comma).trim() : '';
    });
    if (children.some((c) => !c) || new Set(children.map(nameProbeKey)).size !== children.length) continue;
    members.forEach((i, k) => {
      const r = read[i]!;
      const name = `${r.cell.name}, ${children[k]!}`;
      const again = readRow(r.row, new Set([nameProbeKey(name)]), 'sibling-rule');
      if (again.cell.nameBy === 'known-name') read[i] = again;
    });
  }
}

function toEntry(
  r: ReadRow,
  notes: ReadonlyMap<string, string>,
  label: string,
  report: EcfrParseReport,
): EcfrEntry {
  const { row, cell } = r;
  const addresses = [...cell.addresses];
  const seeAlso = [...cell.seeAlso];
  const subordinates: NonNullable<EcfrEntry['subordinates']> = [];
  const marks = [...cell.footnoteRefs];
  const readParties = (lines: EcfrLine[]): void => {
    // "Affiliated entities:" starts each party on a line that begins in italics.
    const blocks: EcfrLine[][] = [];
    for (const line of lines) {
      if (blocks.length === 0 || line.italicStart) blocks.push([line]);
      else blocks[blocks.length - 1]!.push(line);
    }
    for (const block of blocks) {
      const sub = parseEntityCell(linesToSegments(block), CELL_CONTEXT);
      marks.push(...sub.footnoteRefs);
      seeAlso.push(...sub.seeAlso);
      if (sub.name) subordinates.push({ name: sub.name, aliases: sub.aliases, addresses: sub.addresses });
    }
  };
  for (const section of r.sections) readParties(section);
  for (const lines of row.continuations) {
    const head = lines[0]?.text ?? '';
    if (ADDRESSES_APPLY.test(head)) {
      // "The following addresses apply to the entity and to the thirteen subordinate institutions:"
      const rest = [head.replace(ADDRESSES_APPLY, ''), ...lines.slice(1).map((l) => l.text)];
      for (const text of rest) {
        const refs = crossReferences(text);
        seeAlso.push(...refs.destinations);
        addresses.push(...splitAddresses(refs.text.replace(/\uE001[^\uE001]*\uE001/g, ''), false));
      }
    } else if (lines[0] && isSectionHead(lines[0])) {
      const sub = readRow({ ...row, entityLines: lines, continuations: [] }, new Set(), 'none');
      for (const section of sub.sections) readParties(section);
    } else {
      report.warnings.push(
        `${label}, row ${row.tr}: ${cell.name}: a row with only an Entity cell follows; read as more of its parties: ${JSON.stringify(head.slice(0, 80))}`,
      );
      readParties(lines);
    }
  }
  report.subordinates += subordinates.length;
  const entry: EcfrEntry = {
    country: row.country,
    name: cell.name,
    aliases: cell.aliases,
    addresses: addresses.filter((a) => a.length > 0),
    licenseRequirement: row.licenseRequirement,
    licenseReviewPolicy: row.licenseReviewPolicy,
    federalRegisterCitations: splitEcfrCitations(row.citationsText),
  };
  const allMarks = [...new Set([...marks, ...row.footnoteRefs])];
  report.footnotes.marks += allMarks.length;
  const texts: string[] = [];
  for (const mark of allMarks) {
    const note = notes.get(mark);
    if (note === undefined) {
      report.warnings.push(`${label}, row ${row.tr}: ${cell.name}: footnote ${mark} has no note`);
      continue;
    }
    report.footnotes.linked++;
    texts.push(note);
  }
  if (texts.length > 0) entry.footnotes = texts;
  if (seeAlso.length > 0) entry.seeAlso = [...new Set(seeAlso)];
  if (subordinates.length > 0) entry.subordinates = subordinates;
  return entry;
}

/** Rows announcing "a.k.a., the following N aliases": does the entry hold N, and if not, why. */
function checkAnnouncedAliases(r: ReadRow, entry: EcfrEntry, report: EcfrParseReport): void {
  const head = r.main[0]?.text ?? '';
  const m = ANNOUNCED.exec(head);
  if (!m) return;
  const announced = parseCount(m[1]!);
  if (announced === undefined) return;
  report.announcedAliases.rows++;
  if (entry.aliases.length === announced) {
    report.announcedAliases.agree++;
    return;
  }
  const printed = r.main
    .filter((l) => /^(?:\u2014|--|\u2013)/.test(l.text))
    .reduce((n, l) => n + l.text.split(/;\s*(?:and\s+)?(?=\u2014)/).length, 0);
  let why: string;
  if (/including\s+the\s+(?:named\s+)?subordinate/i.test(head)) {
    why = `the ${announced} announced are the aliases; the ${printed} dashed lines include the named subordinate institutions`;
  } else if (printed > 0 && printed !== announced) {
    why = `BIS prints ${printed} dashed aliases after announcing ${announced}`;
  } else if (r.sections.length > 0 || r.row.continuations.length > 0) {
    why = 'the entry lists subordinate or affiliated parties, whose own aliases follow';
  } else if (printed === 0) {
    why = 'the aliases are printed inline, not one a line; read from the running text';
  } else {
    why = 'the printed alias lines hold other text (an address or a further marker)';
  }
  report.announcedAliases.disagreements.push({
    country: entry.country,
    name: entry.name,
    announced,
    read: entry.aliases.length,
    why,
  });
}

/** Supplement No. 4 printed as a Federal Register GPOTABLE: the FR table reader. */
function parseGpoTable(
  supplement: XmlNode,
  options: EcfrParseOptions,
  label: string,
  report: EcfrParseReport,
): { snapshot: Snapshot; report: EcfrParseReport } {
  const knownNames = options.knownNames ? new Set(options.knownNames.map(nameProbeKey)) : undefined;
  const notes = tableNotes(supplement);
  const entries: ListedEntry[] = [];
  let country = '';
  for (const table of findAll(supplement, TABLE_TAGS)) {
    const read = readEntityListTable(table, label, { country });
    report.rows += read.rowCount;
    report.warnings.push(...read.warnings.map((w) => w.message));
    for (const [mark, text] of read.footnotes) notes.set(mark, text);
    for (const row of read.rows) {
      country = row.country;
      const entityText = row.entity.map((s) => s.text.replace(/\uE001[^\uE001]*\uE001/g, '')).join(' ');
      if (!row.country || NOT_AN_ENTRY.test(entityText)) continue;
      const cell = parseEntityCell(row.entity, knownNames ? { knownNames } : {});
      report.nameBy[cell.nameBy] = (report.nameBy[cell.nameBy] ?? 0) + 1;
      entries.push({ country: row.country, ...rowEntry(row, cell, notes) });
      for (const mark of rowFootnoteRefs(row, cell)) {
        report.footnotes.marks++;
        if (notes.has(mark)) report.footnotes.linked++;
        else report.warnings.push(`${label}: ${cell.name}: footnote ${mark} has no note text`);
      }
    }
  }
  report.footnotes.notes = notes.size;
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
