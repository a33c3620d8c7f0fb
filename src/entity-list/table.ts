import {
  attr,
  childElements,
  childrenOf,
  decodeEntities,
  isText,
  rawText,
  tagOf,
  textContent,
  type XmlNode,
} from '../rule-xml/nodes.js';
import type { CellSegment } from './entity-cell.js';
import type { ExtractionWarning } from './types.js';

/**
 * The five-column table of Supplement No. 4: Country | Entity | License requirement | License
 * review policy | Federal Register citation. The country is printed only on the first row of each
 * destination; star rows (`* * *`) separate destinations; `TNOTE` rows hold footnotes.
 */

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
  const heads = columnHeads(table);
  return heads.some((h) => /^entity/i.test(h)) && heads.some((h) => /licen[cs]e/i.test(h));
}

function columnHeads(table: XmlNode): string[] {
  const boxhd = childElements(table, 'BOXHD')[0];
  return boxhd ? childElements(boxhd, 'CHED').map((c) => textContent(c)) : [];
}

function columnMap(table: XmlNode): Record<Column, number> {
  const map: Record<Column, number> = {
    country: 0,
    entity: 1,
    licenseRequirement: 2,
    licenseReviewPolicy: 3,
    citation: 4,
  };
  const heads = columnHeads(table);
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

export function readEntityListTable(table: XmlNode, where: string): EntityListTable {
  const columns = columnMap(table);
  const rows: TableRow[] = [];
  const footnotes = new Map<string, string>();
  const warnings: ExtractionWarning[] = [];
  let country = '';
  let rowNumber = 0;

  for (const el of childElements(table)) {
    const tag = tagOf(el);
    if (tag === 'TNOTE') {
      readFootnote(el, footnotes);
      continue;
    }
    if (tag !== 'ROW') continue;
    rowNumber++;
    const cells = childElements(el, 'ENT');
    const plain = cells.map((c) => textContent(c));
    if (attr(el, 'EXPSTB') !== undefined || plain.every((t) => /^[*\s]*$/.test(t))) continue;
    if (cells.length < 4) {
      warnings.push({
        code: 'TABLE_SHAPE',
        message: `${where}, row ${rowNumber}: expected a row of 5 cells, found ${cells.length}: ${JSON.stringify(plain.join(' | ').slice(0, 120))}`,
        context: { row: rowNumber, cells: cells.length },
      });
      continue;
    }
    // A row of four cells has lost its country cell: the destination carries over.
    const shift = cells.length === 4 ? -1 : 0;
    const cell = (c: Column): XmlNode | undefined => cells[columns[c] + (c === 'country' ? 0 : shift)];
    const countryCell = shift === 0 ? cell('country') : undefined;
    const printed = countryCell ? cleanCountry(textContent(countryCell)) : '';
    if (printed) country = printed;
    const entityCell = cell('entity');
    if (!entityCell || !textContent(entityCell)) {
      warnings.push({
        code: 'TABLE_SHAPE',
        message: `${where}, row ${rowNumber}: the Entity cell is empty`,
        context: { row: rowNumber, country },
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
    const req = cell('licenseRequirement');
    const pol = cell('licenseReviewPolicy');
    const cit = cell('citation');
    rows.push({
      country,
      entity: cellSegments(entityCell),
      licenseRequirement: req ? textWithoutMarks(req, refs) : '',
      licenseReviewPolicy: pol ? textWithoutMarks(pol, refs) : '',
      citationsText: cit ? textWithoutMarks(cit, refs) : '',
      footnoteRefs: refs,
      row: rowNumber,
    });
  }
  return { rows, footnotes, warnings };
}

/** The destinations a table prints (its first column), without reading the rest of each row. */
export function printedCountries(table: XmlNode): string[] {
  const out: string[] = [];
  const column = columnMap(table).country;
  for (const row of childElements(table, 'ROW')) {
    const cell = childElements(row, 'ENT')[column];
    const text = cell ? cleanCountry(textContent(cell)) : '';
    if (text && !/^[*\s]*$/.test(text)) out.push(text);
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

function readFootnote(el: XmlNode, footnotes: Map<string, string>): void {
  let mark = '';
  const parts: string[] = [];
  for (const child of childrenOf(el)) {
    if (tagOf(child) === 'SU' && !mark) mark = textContent(child);
    else if (isText(child)) parts.push(decodeEntities(rawText(child)));
    else if (tagOf(child) !== undefined) parts.push(textContent(child));
  }
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  if (text) footnotes.set(mark || String(footnotes.size + 1), text);
}

/** The cell's text with `<SU>` footnote marks taken out (and recorded). */
function textWithoutMarks(cell: XmlNode, refs: string[]): string {
  const parts: string[] = [];
  walk(cell, parts, refs);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function walk(node: XmlNode, parts: string[], refs: string[]): void {
  for (const child of childrenOf(node)) {
    if (isText(child)) {
      parts.push(decodeEntities(rawText(child)));
      continue;
    }
    const tag = tagOf(child);
    if (tag === 'SU') refs.push(textContent(child));
    else if (tag === 'PRTPAGE' || tag === 'FTREF') continue;
    else if (tag === 'LI' || tag === 'P') {
      parts.push(' ');
      walk(child, parts, refs);
      parts.push(' ');
    } else if (tag !== undefined) walk(child, parts, refs);
  }
}

/** The Entity cell as ordered segments: running text and `<LI>` items, footnote marks in place. */
export function cellSegments(cell: XmlNode): CellSegment[] {
  const segments: CellSegment[] = [];
  let inline = '';
  const flush = (): void => {
    if (inline.trim()) segments.push({ kind: 'inline', text: inline });
    inline = '';
  };
  const inlineText = (node: XmlNode): string => {
    let out = '';
    for (const child of childrenOf(node)) {
      if (isText(child)) out += decodeEntities(rawText(child));
      else if (tagOf(child) === 'SU') out += `\uE001${textContent(child)}\uE001`;
      else if (tagOf(child) === 'PRTPAGE' || tagOf(child) === 'FTREF') continue;
      else if (tagOf(child) !== undefined) out += inlineText(child);
    }
    return out;
  };
  for (const child of childrenOf(cell)) {
    if (isText(child)) inline += decodeEntities(rawText(child));
    else if (tagOf(child) === 'LI' || tagOf(child) === 'P') {
      flush();
      segments.push({ kind: 'li', text: inlineText(child) });
    } else if (tagOf(child) === 'SU') inline += `\uE001${textContent(child)}\uE001`;
    else if (tagOf(child) === 'PRTPAGE' || tagOf(child) === 'FTREF') continue;
    else if (tagOf(child) !== undefined) inline += inlineText(child);
  }
  flush();
  return segments;
}

/** "73 FR 54506, 9/22/08. 81 FR 67097, 9/16/16." → ["73 FR 54506, 9/22/08", "81 FR 67097, 9/16/16"]. */
export function splitCitations(text: string): string[] {
  const found = [
    ...text.matchAll(
      /\b\d{1,3}\s*FR\s*(?:\d{1,6}|\[\s*INSERT[^\]]*\])(?:\s*,?\s*\d{1,2}\/\d{1,2}\/\d{2,4})?(?:\s*,?\s*(?:effective\s+)?\d{1,2}\/\d{1,2}\/\d{2,4})?/gi,
    ),
  ].map((m) => m[0].replace(/\s+/g, ' ').trim());
  if (found.length > 0) return found;
  return text
    .split(/\.\s+|;\s*/)
    .map((s) => s.replace(/[.\s]+$/, '').trim())
    .filter((s) => s.length > 0);
}
