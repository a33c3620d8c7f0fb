import type { CellSegment } from '../entity-list/entity-cell.js';
import {
  childElements,
  childrenOf,
  decodeEntities,
  isText,
  rawText,
  tagOf,
  textContent,
  type XmlNode,
} from '../rule-xml/nodes.js';

/**
 * Supplement No. 4's table as the eCFR versioner prints it: `TABLE` > `THEAD`/`TBODY` > `TR` > `TD`,
 * five cells a row (Country, Entity, License requirement, License review policy, Federal Register
 * citation), the country printed on the first row of each destination only. Inside the Entity
 * cell the markup carries meaning the words alone do not:
 *
 * - `<br/>` ends a line: the name (with its alias marker) is the first line, each alias
 *   (`&#x2014;Alias;`) and each address block the lines after it, a blank line between them;
 * - `<E T="03">and</E>`, the italic "and", joins list items (aliases, addresses), also after a comma;
 * - `<sup>N</sup>` marks a footnote, whose note is a one-cell row (`colspan="5"`) after the last entry;
 * - `<E T="03">Subordinate institution</E>` and "Affiliated entities:" lines begin the listing of
 *   parties that share the entry (CASIC Second Academy, Huawei).
 *
 * A row whose only words are in its Entity cell continues the entry above it. A `TR` holding more
 * than five cells (eCFR once served two entries merged in one row) is read as several rows, with a
 * warning naming the row. Pure.
 */

/** A footnote mark in segment text, as `parseEntityCell` expects it. */
const MARK = (m: string): string => `\uE001${m}\uE001`;
/** The italic "and": a list joiner, placed as a private-use character until lines are cut. */
const JOINER = '\uE002';

export interface EcfrLine {
  text: string;
  /** A blank line follows (`<br/> <br/>`): the end of a paragraph (name, alias list, addresses). */
  paragraphEnd: boolean;
  /** The line is only an italic heading (`<E T="03">Subordinate institution</E>`). */
  italicOnly: boolean;
  /** The line begins with an italic run (the names in "Affiliated entities:"). */
  italicStart: boolean;
}

export interface EcfrRow {
  /** 1-based `TR` number in the table (the head row counts), for messages. */
  tr: number;
  country: string;
  entityLines: EcfrLine[];
  licenseRequirement: string;
  licenseReviewPolicy: string;
  citationsText: string;
  /** Footnote marks of the license, policy and citation cells. */
  footnoteRefs: string[];
  /** Rows with only an Entity cell that continue this entry. */
  continuations: EcfrLine[][];
}

export interface EcfrTable {
  rows: EcfrRow[];
  /** `TR`s read, head included. */
  trCount: number;
  /** Footnote mark → note text, from the one-cell rows. */
  notes: Map<string, string>;
  warnings: string[];
  /** Rows that held more than one entry's cells. */
  mergedRows: number;
}

function trsOf(table: XmlNode): XmlNode[] {
  return childElements(table).flatMap((el) => {
    const tag = tagOf(el);
    return tag === 'THEAD' || tag === 'TBODY' || tag === 'TFOOT'
      ? childElements(el, 'TR')
      : tag === 'TR'
        ? [el]
        : [];
  });
}

/** Plain text of a cell: marks recorded and left out, lines joined by spaces. */
function plainText(cell: XmlNode, refs: string[]): string {
  const parts: string[] = [];
  const walk = (node: XmlNode): void => {
    for (const child of childrenOf(node)) {
      if (isText(child)) {
        parts.push(decodeEntities(rawText(child)));
        continue;
      }
      const tag = tagOf(child);
      if (tag === 'sup' && isOrdinal(child)) parts.push(textContent(child).trim());
      else if (tag === 'sup') refs.push(markOf(child));
      else if (tag === 'br' || tag === 'BR') parts.push(' ');
      else if (tag !== undefined) walk(child);
    }
  };
  walk(cell);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The Entity cell cut into lines at `<br/>`, footnote marks and italic joiners in place. */
export function entityLines(cell: XmlNode): EcfrLine[] {
  const lines: EcfrLine[] = [];
  let text = '';
  let italic = '';
  let italicStart = false;
  let sawText = false;
  const flush = (): void => {
    const t = finishLine(text);
    if (t) {
      const italicOnly = italic.trim() !== '' && italic.replace(/\s+/g, ' ').trim() === t;
      lines.push({ text: t, paragraphEnd: false, italicOnly, italicStart });
    } else if (lines.length > 0) {
      lines[lines.length - 1]!.paragraphEnd = true;
    }
    text = '';
    italic = '';
    italicStart = false;
    sawText = false;
  };
  const children = childrenOf(cell);
  children.forEach((child, i) => {
    if (isText(child)) {
      const t = decodeEntities(rawText(child));
      text += t;
      if (t.trim()) sawText = true;
      return;
    }
    const tag = tagOf(child);
    if (tag === 'br' || tag === 'BR') flush();
    else if (tag === 'sup') {
      // "<sup>4</sup>&#x2044;<sub>5</sub>" is a fraction in an address, not a footnote mark.
      const next = children[i + 1];
      const fraction =
        next !== undefined && isText(next) && decodeEntities(rawText(next)).startsWith('\u2044');
      text += fraction || isOrdinal(child) ? textContent(child).trim() : MARK(markOf(child));
    } else if (tag === 'E' || tag === 'I' || tag === 'em') {
      const inner = inlineText(child);
      if (/^\s*and\s*,?\s*$/i.test(inner) && (sawText || text.trim())) text += ` ${JOINER} `;
      else {
        if (!sawText && !text.trim() && inner.trim()) italicStart = true;
        italic += inner;
        text += inner;
        if (inner.trim()) sawText = true;
      }
    } else if (tag !== undefined) {
      const inner = inlineText(child);
      text += inner;
      if (inner.trim()) sawText = true;
    }
  });
  flush();
  return lines;
}

/** "3<sup>rd</sup>": an ordinal suffix is text, not a footnote mark. */
function isOrdinal(sup: XmlNode): boolean {
  return /^(?:st|nd|rd|th)$/i.test(textContent(sup).trim());
}

/** A mark as its note is numbered: "<sup>,3</sup>" is mark 3. */
function markOf(sup: XmlNode): string {
  return textContent(sup).replace(/[^\p{L}\p{N}*†‡§]/gu, '');
}

function inlineText(node: XmlNode): string {
  let out = '';
  for (const child of childrenOf(node)) {
    if (isText(child)) out += decodeEntities(rawText(child));
    else if (tagOf(child) === 'sup')
      out += isOrdinal(child) ? textContent(child).trim() : MARK(markOf(child));
    else if (tagOf(child) === 'br') out += ' ';
    else if (tagOf(child) !== undefined) out += inlineText(child);
  }
  return out;
}

/** Whitespace collapsed (the em space counts as space); the italic joiner becomes "; and". */
function finishLine(text: string): string {
  return text
    .replace(/[\s\u2003]+/g, ' ')
    .replace(new RegExp(`\\s*[,;]?\\s*${JOINER}\\s*`, 'g'), '; and ')
    .replace(/; and $/, '; and')
    .trim();
}

/** Lines as the segments `parseEntityCell` reads: the first line inline, the others as lines. */
export function linesToSegments(lines: readonly EcfrLine[]): CellSegment[] {
  return lines.map((l, i) => ({ kind: i === 0 ? 'inline' : 'li', text: l.text }));
}

function cellsOf(tr: XmlNode): XmlNode[] {
  return childElements(tr).filter((c) => tagOf(c) === 'TD' || tagOf(c) === 'TH');
}

function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text.replace(/\uE001[^\uE001]*\uE001/g, ''));
}

/** Reads one Supplement No. 4 table. `country` carries a destination over from an earlier table. */
export function readEcfrTable(table: XmlNode, where: string, country = ''): EcfrTable {
  const out: EcfrTable = { rows: [], trCount: 0, notes: new Map(), warnings: [], mergedRows: 0 };
  let last: EcfrRow | undefined;
  for (const tr of trsOf(table)) {
    out.trCount++;
    const cells = cellsOf(tr);
    if (cells.some((c) => tagOf(c) === 'TH')) continue;
    if (cells.length === 1) {
      // A note row: "<sup>1</sup> For this entity, …" spanning the table.
      const note = readNote(cells[0]!);
      if (note) out.notes.set(note.mark, note.text);
      else if (hasWords(plainText(cells[0]!, [])))
        out.warnings.push(`${where}, row ${out.trCount}: a one-cell row that is not a footnote; skipped`);
      continue;
    }
    if (cells.length === 0) continue;
    let groups: XmlNode[][] = [cells];
    if (cells.length !== 5) {
      const previous = last ? ` (after ${JSON.stringify(firstLineOf(last))})` : '';
      if (cells.length % 5 === 0) {
        groups = [];
        for (let i = 0; i < cells.length; i += 5) groups.push(cells.slice(i, i + 5));
        out.mergedRows++;
        const held = groups.map((g) => JSON.stringify(plainText(g[1]!, []).slice(0, 60))).join(' and ');
        out.warnings.push(
          `${where}, row ${out.trCount}${previous}: one TR holds ${cells.length} cells, the rows of ${held} merged; read as ${groups.length} entries, check the source`,
        );
      } else {
        const preview = JSON.stringify(
          cells
            .map((c) => plainText(c, []))
            .join(' | ')
            .slice(0, 160),
        );
        out.warnings.push(
          `${where}, row ${out.trCount}${previous}: expected 5 cells, found ${cells.length}; row not read: ${preview}`,
        );
        continue;
      }
    }
    for (const g of groups) {
      const refs: string[] = [];
      const printed = cleanCountry(plainText(g[0]!, []));
      if (printed) country = printed;
      const lines = entityLines(g[1]!);
      const req = plainText(g[2]!, refs);
      const pol = plainText(g[3]!, refs);
      const cit = plainText(g[4]!, refs);
      if (!lines.some((l) => hasWords(l.text))) continue;
      if (!hasWords(req) && !hasWords(pol) && !hasWords(cit)) {
        if (last) last.continuations.push(lines);
        else
          out.warnings.push(`${where}, row ${out.trCount}: an Entity cell alone before any entry; skipped`);
        continue;
      }
      if (!country) {
        out.warnings.push(
          `${where}, row ${out.trCount}: no destination printed on this row or any before it`,
        );
      }
      last = {
        tr: out.trCount,
        country,
        entityLines: lines,
        licenseRequirement: req,
        licenseReviewPolicy: pol,
        citationsText: cit,
        footnoteRefs: refs,
        continuations: [],
      };
      out.rows.push(last);
    }
  }
  return out;
}

function firstLineOf(row: EcfrRow): string {
  return (row.entityLines[0]?.text ?? '').replace(/\uE001[^\uE001]*\uE001/g, '').slice(0, 60);
}

function readNote(cell: XmlNode): { mark: string; text: string } | undefined {
  let mark: string | undefined;
  const parts: string[] = [];
  const walk = (node: XmlNode): void => {
    for (const child of childrenOf(node)) {
      if (isText(child)) parts.push(decodeEntities(rawText(child)));
      else if (tagOf(child) === 'sup' && mark === undefined && !parts.join('').trim())
        mark = textContent(child).trim();
      else if (tagOf(child) === 'br') parts.push(' ');
      else if (tagOf(child) !== undefined) walk(child);
    }
  };
  walk(cell);
  const text = parts.join('').replace(/\s+/g, ' ').trim();
  return mark !== undefined && text ? { mark, text } : undefined;
}

function cleanCountry(text: string): string {
  return text
    .replace(/[\s\u2003]+/g, ' ')
    .trim()
    .replace(/[\s,;:]+$/, '')
    .replace(/(?<!\b[A-Z])\.$/, '')
    .toUpperCase();
}

/** Whether an element is the eCFR's Supplement table (its head row names the Entity column). */
export function isEntityTable(table: XmlNode): boolean {
  const head = trsOf(table).find((tr) => cellsOf(tr).some((c) => tagOf(c) === 'TH'));
  if (!head) return trsOf(table).some((tr) => cellsOf(tr).length >= 5);
  const heads = cellsOf(head).map((c) => plainText(c, []));
  return heads.some((h) => /^entity/i.test(h)) && heads.some((h) => /licen[cs]e/i.test(h));
}

/**
 * "73 FR 54508, 9/22/08. 81 FR 67097, 9/16/16." → ["73 FR 54508, 9/22/08", "81 FR 67097, 9/16/16"]:
 * the cell cut before each "NN FR", every word kept (a citation printed without its date, or with
 * "effective" and a second date, stays as printed).
 */
export function splitEcfrCitations(text: string): string[] {
  const t = text.replace(/\s+/g, ' ').trim();
  const starts = [...t.matchAll(/(?:^|[\s.;,])(?=\d{1,3}\s*FR\s*[\d[])/g)].map(
    (m) => m.index + (m[0].length > 0 ? 1 : 0),
  );
  if (starts.length === 0) return t ? [t.replace(/[\s.;,]+$/, '')] : [];
  const out: string[] = [];
  if (starts[0]! > 0 && hasWords(t.slice(0, starts[0])))
    out.push(t.slice(0, starts[0]).replace(/[\s.;,]+$/, ''));
  starts.forEach((s, i) => {
    const piece = t
      .slice(s, starts[i + 1] ?? t.length)
      .trim()
      .replace(/[\s.;,]+$/, '');
    if (piece) out.push(piece);
  });
  return out;
}
