import {
  attr,
  childElements,
  childrenOf,
  decodeEntities,
  findAll,
  isText,
  ordinalSuffix,
  rawText,
  tagOf,
  textContent,
  type XmlNode,
} from '../rule-xml/nodes.js';
import { splitCitations } from './citations.js';
import type { CellSegment, ParsedEntityCell } from './entity-cell.js';
import type { Entry, ExtractionWarning } from './types.js';

/**
 * The five-column table of Supplement No. 4: Country | Entity | License requirement | License
 * review policy | Federal Register citation. The country is printed only on the first row of each
 * destination; star rows (`* * *`) separate destinations; `TNOTE` rows hold footnotes.
 *
 * Federal Register XML prints it as `GPOTABLE` (`BOXHD`/`CHED` heads, `ROW`, `ENT`, `<LI>` lines,
 * `<SU>` marks); the eCFR prints the same table HTML-like, as `TABLE` (`TH` heads, `TR`, `TD`,
 * lines separated by `<br/>`, `<sup>` marks, notes after the table in `<P class="gpotbl_note">`).
 * The cells say the same things either way, so one reader serves both.
 */

/** Footnote marks: `<SU>` in FR XML, `<sup>` in the eCFR. */
const MARK_TAGS: ReadonlySet<string> = new Set(['SU', 'sup']);
/** Elements that hold one line of a cell (FR `<LI>`, and `<P>`). */
const LINE_TAGS: ReadonlySet<string> = new Set(['LI', 'P']);
/** Line breaks between a cell's lines (eCFR `<br/>`). */
const BREAK_TAGS: ReadonlySet<string> = new Set(['br', 'BR']);
/** Elements whose text is never part of a cell (page marks, footnote anchors). */
const SKIP_TAGS: ReadonlySet<string> = new Set(['PRTPAGE', 'FTREF']);

/** The markup of a table: FR `GPOTABLE` or eCFR `TABLE`. */
interface Markup {
  row: string;
  cell: string;
}
const GPOTABLE: Markup = { row: 'ROW', cell: 'ENT' };
const HTML_TABLE: Markup = { row: 'TR', cell: 'TD' };

/** Elements that may hold Supplement No. 4's table. */
export const TABLE_TAGS: ReadonlySet<string> = new Set(['GPOTABLE', 'TABLE']);

function markupOf(table: XmlNode): Markup {
  return tagOf(table) === 'TABLE' ? HTML_TABLE : GPOTABLE;
}

/** The table's rows and notes in order (an eCFR table may group its rows in THEAD/TBODY). */
function tableItems(table: XmlNode): XmlNode[] {
  if (tagOf(table) !== 'TABLE') return childElements(table);
  return childElements(table).flatMap((el) => {
    const tag = tagOf(el);
    return tag === 'THEAD' || tag === 'TBODY' || tag === 'TFOOT' ? childElements(el) : [el];
  });
}

function rowsOf(table: XmlNode): XmlNode[] {
  const { row } = markupOf(table);
  return tableItems(table).filter((el) => tagOf(el) === row);
}

export interface TableRow {
  /** The destination as printed on this row or carried over from the row that names it. */
  country: string;
  entity: CellSegment[];
  licenseRequirement: string;
  licenseReviewPolicy: string;
  citationsText: string;
  /** Footnote marks in the license requirement and other non-entity cells. */
  footnoteRefs: string[];
  /** 1-based row number within the table, for messages. */
  row: number;
}

export interface EntityListTable {
  rows: TableRow[];
  /** Rows of the table, header and star rows included. */
  rowCount: number;
  /** Footnote mark → text, from TNOTE. */
  footnotes: Map<string, string>;
  warnings: ExtractionWarning[];
}

type Column = 'country' | 'entity' | 'licenseRequirement' | 'licenseReviewPolicy' | 'citation';

const HEADER_PATTERNS: Array<[Column, RegExp]> = [
  ['country', /country|destination/i],
  ['licenseReviewPolicy', /review\s+policy|licen[cs]e\s+policy/i],
  ['licenseRequirement', /licen[cs]e\s+requirement/i],
  ['citation', /federal\s+register|citation/i],
  ['entity', /entity|name/i],
];

/** A table is an Entity List table when its column heads say so. */
export function isEntityListTable(table: XmlNode): boolean {
  return looksLikeHeads(columnHeads(table).heads);
}

function looksLikeHeads(heads: string[]): boolean {
  return heads.some((h) => /^entity/i.test(h)) && heads.some((h) => /licen[cs]e/i.test(h));
}

/** How many rows at the top of the table the header-row search looks at (blank and star rows come first). */
const HEADER_ROW_SEARCH = 8;

/**
 * The column heads, and the row that prints them when that row is in the table body. GPO sets
 * them in `BOXHD`'s `CHED`s; the FR full-text XML of recent rules leaves the `CHED`s blank and
 * prints the heads as an ordinary first `ROW` (`Country`, `Entity`, `License <LI>requirement</LI>` …).
 */
function columnHeads(table: XmlNode): { heads: string[]; row?: XmlNode } {
  if (tagOf(table) === 'TABLE') {
    const head = rowsOf(table).find((tr) => childElements(tr, 'TH').length > 0);
    if (head) return { heads: childElements(head, 'TH').map((c) => cellText(c)) };
  } else {
    const boxhd = childElements(table, 'BOXHD')[0];
    const heads = boxhd ? childElements(boxhd, 'CHED').map((c) => textContent(c)) : [];
    if (heads.some((h) => h.trim() !== '')) return { heads };
  }
  const { cell } = markupOf(table);
  for (const row of rowsOf(table).slice(0, HEADER_ROW_SEARCH)) {
    const heads = childElements(row, cell).map((c) => cellText(c));
    if (looksLikeHeads(heads)) return { heads, row };
  }
  return { heads: [] };
}

function columnMap(table: XmlNode): Record<Column, number> {
  const map: Record<Column, number> = {
    country: 0,
    entity: 1,
    licenseRequirement: 2,
    licenseReviewPolicy: 3,
    citation: 4,
  };
  const { heads } = columnHeads(table);
  if (heads.length < 5) return map;
  const seen = new Set<number>();
  for (const [column, pattern] of HEADER_PATTERNS) {
    const i = heads.findIndex((h, idx) => !seen.has(idx) && pattern.test(h));
    if (i >= 0) {
      map[column] = i;
      seen.add(i);
    }
  }
  return map;
}

export interface ReadTableOptions {
  /** The destination in force where the table starts (a table continuing an earlier one). */
  country?: string;
}

export function readEntityListTable(
  table: XmlNode,
  where: string,
  options: ReadTableOptions = {},
): EntityListTable {
  const columns = columnMap(table);
  const headerRow = columnHeads(table).row;
  const markup = markupOf(table);
  const rows: TableRow[] = [];
  const footnotes = new Map<string, string>();
  const warnings: ExtractionWarning[] = [];
  let country = options.country ?? '';
  let rowNumber = 0;
  // The entry row an address-only row continues; a star row or cell, or a new destination, ends it.
  let open: TableRow | undefined;

  for (const el of tableItems(table)) {
    const tag = tagOf(el);
    if (tag === 'TNOTE') {
      readFootnote(el, footnotes);
      continue;
    }
    if (tag !== markup.row) continue;
    rowNumber++;
    if (el === headerRow) continue;
    const cells = childElements(el, markup.cell);
    const plain = cells.map((c) => cellText(c));
    if (attr(el, 'EXPSTB') !== undefined || plain.every(isBlankOrStars)) {
      // "* * *" stands for entries the rule leaves as they are; a blank row only spaces the table.
      if (plain.some((t) => t.includes('*'))) open = undefined;
      continue;
    }
    // A row of four cells has lost its country cell: the destination carries over.
    const shift = cells.length === 4 ? -1 : 0;
    const cell = (c: Column): XmlNode | undefined => cells[columns[c] + (c === 'country' ? 0 : shift)];
    const countryCell = shift === 0 ? cell('country') : undefined;
    const printed = countryCell ? cleanCountry(cellText(countryCell)) : '';
    if (printed && !isBlankOrStars(printed)) {
      country = printed;
      open = undefined;
    }
    const entityCell = cell('entity');
    const req = cell('licenseRequirement');
    const pol = cell('licenseReviewPolicy');
    const cit = cell('citation');
    const entityText = entityCell ? cellText(entityCell) : '';
    const othersBlank = [req, pol, cit].every((c) => !c || isBlankOrStars(cellText(c)));
    if (!entityCell || isBlankOrStars(entityText)) {
      // "CANADA" and a star cell: the destination's row, its entries above left as they are.
      if (printed && othersBlank) continue;
      warnings.push({
        code: 'TABLE_SHAPE',
        message: `${where}, row ${rowNumber}: the Entity cell is empty`,
        context: { row: rowNumber, country },
      });
      continue;
    }
    if (othersBlank && !printed && open && !/^\[.*\]$/.test(entityText)) {
      // An entry's addresses may run on in a row of their own, which holds only an Entity cell
      // (an editorial "[Reserved]" is not an address).
      for (const segment of cellSegments(entityCell)) open.entity.push({ kind: 'li', text: segment.text });
      continue;
    }
    if (cells.length < 4) {
      warnings.push({
        code: 'TABLE_SHAPE',
        message: `${where}, row ${rowNumber}: expected a row of 5 cells, found ${cells.length}: ${JSON.stringify(plain.join(' | ').slice(0, 120))}`,
        context: { row: rowNumber, cells: cells.length },
      });
      continue;
    }
    if (!country) {
      warnings.push({
        code: 'TABLE_SHAPE',
        message: `${where}, row ${rowNumber}: no destination printed on this row or any row before it`,
        context: { row: rowNumber },
      });
    }
    const refs: string[] = [];
    const row: TableRow = {
      country,
      entity: cellSegments(entityCell),
      licenseRequirement: req ? textWithoutMarks(req, refs) : '',
      licenseReviewPolicy: pol ? textWithoutMarks(pol, refs) : '',
      citationsText: cit ? textWithoutMarks(cit, refs) : '',
      footnoteRefs: refs,
      row: rowNumber,
    };
    rows.push(row);
    open = row;
  }
  return { rows, rowCount: rowNumber, footnotes, warnings };
}

/** Blank (spaces, the em spaces of `<ENT I="22"> </ENT>`) or a run of stars. */
function isBlankOrStars(text: string): boolean {
  return /^[*\s\u2003\u2002\u2009\u00a0]*$/.test(text);
}

/** The destinations a table prints (its first column), without reading the rest of each row. */
export function printedCountries(table: XmlNode): string[] {
  const out: string[] = [];
  const column = columnMap(table).country;
  const markup = markupOf(table);
  for (const row of rowsOf(table)) {
    const cell = childElements(row, markup.cell)[column];
    const text = cell ? cleanCountry(cellText(cell)) : '';
    if (text && !isBlankOrStars(text) && !/^(?:country|destination)$/i.test(text)) out.push(text);
  }
  return out;
}

function cleanCountry(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s,;:]+$/, '')
    .replace(/(?<!\b[A-Z])\.$/, '')
    .toUpperCase();
}

/**
 * Footnote texts by mark from the notes below `scope`: FR `TNOTE`s, and the eCFR's
 * `<P class="gpotbl_note">`s, which it prints after the table rather than inside it.
 */
export function tableNotes(scope: XmlNode): Map<string, string> {
  const footnotes = new Map<string, string>();
  for (const note of findAll(scope, new Set(['TNOTE', 'P']))) {
    if (tagOf(note) === 'TNOTE' || /\bgpotbl_note\b/.test(attr(note, 'class') ?? ''))
      readFootnote(note, footnotes);
  }
  return footnotes;
}

function readFootnote(el: XmlNode, footnotes: Map<string, string>): void {
  let mark = '';
  const parts: string[] = [];
  for (const child of childrenOf(el)) {
    if (MARK_TAGS.has(tagOf(child) ?? '') && !mark) mark = textContent(child);
    else if (isText(child)) parts.push(decodeEntities(rawText(child)));
    else if (tagOf(child) !== undefined) parts.push(textContent(child));
  }
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  if (text) footnotes.set(mark || String(footnotes.size + 1), text);
}

/** The cell's text with footnote marks taken out (and recorded). */
function textWithoutMarks(cell: XmlNode, refs: string[]): string {
  const parts: string[] = [];
  walk(cell, parts, refs);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The cell's text, footnote marks left out. */
function cellText(cell: XmlNode): string {
  return textWithoutMarks(cell, []);
}

function walk(node: XmlNode, parts: string[], refs: string[]): void {
  for (const child of childrenOf(node)) {
    if (isText(child)) {
      parts.push(decodeEntities(rawText(child)));
      continue;
    }
    const tag = tagOf(child);
    if (tag === undefined || SKIP_TAGS.has(tag)) continue;
    if (MARK_TAGS.has(tag)) {
      const suffix = ordinalSuffix(child, parts[parts.length - 1] ?? '');
      if (suffix) parts.push(suffix);
      else refs.push(textContent(child));
    } else if (BREAK_TAGS.has(tag)) parts.push(' ');
    else if (LINE_TAGS.has(tag) || tag === 'FP' || tag === 'HD') {
      parts.push(' ');
      walk(child, parts, refs);
      parts.push(' ');
    } else walk(child, parts, refs);
  }
}

/**
 * The Entity cell as ordered segments: running text and lines (`li`), footnote marks in place.
 * A line is an `<LI>`/`<P>` item (FR) or the text after a `<br/>` up to the next one (eCFR).
 */
export function cellSegments(cell: XmlNode): CellSegment[] {
  const segments: CellSegment[] = [];
  let kind: CellSegment['kind'] = 'inline';
  let text = '';
  const flush = (): void => {
    if (text.trim()) segments.push({ kind, text });
    text = '';
  };
  for (const child of childrenOf(cell)) {
    if (isText(child)) {
      text += decodeEntities(rawText(child));
      continue;
    }
    const tag = tagOf(child);
    if (tag === undefined || SKIP_TAGS.has(tag)) continue;
    if (LINE_TAGS.has(tag)) {
      flush();
      segments.push({ kind: 'li', text: inlineText(child) });
      kind = 'inline';
    } else if (BREAK_TAGS.has(tag)) {
      flush();
      kind = 'li';
    } else if (MARK_TAGS.has(tag)) text += ordinalSuffix(child, text) ?? markText(child);
    else if (!isJoiningAnd(child, text)) text += inlineText(child);
  }
  flush();
  return segments;
}

function inlineText(node: XmlNode): string {
  let out = '';
  for (const child of childrenOf(node)) {
    if (isText(child)) {
      out += decodeEntities(rawText(child));
      continue;
    }
    const tag = tagOf(child);
    if (tag === undefined || SKIP_TAGS.has(tag)) continue;
    if (MARK_TAGS.has(tag)) out += ordinalSuffix(child, out) ?? markText(child);
    else if (BREAK_TAGS.has(tag)) out += ' ';
    else if (!isJoiningAnd(child, out)) out += inlineText(child);
  }
  return out;
}

/**
 * "—Spacety; <E T="03">and</E>", "…, China; <E T="03">and</E> Room 01, …": the Federal Register
 * sets the word that joins a list's last item in italics. It is punctuation, not part of the
 * next alias or address (an "and" printed in roman type is the document's own and stays).
 */
function isJoiningAnd(el: XmlNode, before: string): boolean {
  return tagOf(el) === 'E' && /;\s*$/.test(before) && /^\s*and\s*$/i.test(inlineText(el));
}

/** A footnote mark as `parseEntityCell` finds it: `\uE001<mark>\uE001`. */
function markText(mark: XmlNode): string {
  return `\uE001${textContent(mark)}\uE001`;
}

/** The entry a row prints, from its parsed Entity cell and the table's footnotes. */
export function rowEntry(
  row: TableRow,
  cell: ParsedEntityCell,
  footnotes: ReadonlyMap<string, string>,
): Entry {
  const entry: Entry = {
    name: cell.name,
    aliases: cell.aliases,
    addresses: cell.addresses,
    licenseRequirement: row.licenseRequirement,
    licenseReviewPolicy: row.licenseReviewPolicy,
    federalRegisterCitations: splitCitations(row.citationsText),
  };
  const texts = rowFootnoteRefs(row, cell)
    .map((r) => footnotes.get(r))
    .filter((t): t is string => t !== undefined);
  if (texts.length > 0) entry.footnotes = [...new Set(texts)];
  if (cell.seeAlso.length > 0) entry.seeAlso = cell.seeAlso;
  return entry;
}

/** The footnote marks a row carries: the Entity cell's, then the other cells'. */
export function rowFootnoteRefs(row: TableRow, cell: ParsedEntityCell): string[] {
  return [...cell.footnoteRefs, ...row.footnoteRefs];
}

export { splitCitations } from './citations.js';
