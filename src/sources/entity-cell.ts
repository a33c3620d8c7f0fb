import type { Entry } from '../entity-list/types.js';
import { escapeXml, isElement, type XNode } from './xml.js';
import { collapse } from './text.js';

/**
 * The "Entity" cell of Supplement No. 4 (the same conventions in Federal Register rule tables and
 * in the eCFR): the name, then any aliases ("a.k.a., the following two aliases:" with each alias
 * after an em dash, on its own line or inline, and "f.k.a." names), then the addresses joined with
 * "; " and "; and ", ending in a period. A footnote mark right after the name ends the name.
 *
 *   Dahua Technology, a.k.a., the following one alias:<LI>—Zhejiang Dahua Technology Co., Ltd.</LI><LI>Hangzhou, Zhejiang, China.</LI>
 *   Ryazan State Instrument Enterprise (RSIE), a.k.a., the following two aliases: —RSIE; and —GRPZ. Seminarskaya Street 32, Ryazan, 390000, Russia.
 *   Aksu District Public Security Bureau, Aksu, Xinjiang, China.
 *
 * Without aliases or a footnote mark the name/address boundary is a comma that names also
 * contain ("Xiamen Meiya Pico Information Co., Ltd., Xiamen, …"): legal-form words after the
 * comma keep it inside the name, and callers that know the names to expect (a prior snapshot)
 * can pass them to settle the rest ("Kish Airlines, Headquarters").
 */

/** A cell's text as lines (line breaks: `<LI>`, `<br/>`, `<P>`), and the footnote marks in it. */
export interface CellText {
  lines: string[];
  /** Footnote marks (`<SU>1</SU>`, `<sup>1</sup>`) in order; their text is not in `lines`. */
  marks: string[];
  /** Offset in `lines[0]` where the first footnote mark stood, if it stood on the first line. */
  firstMarkAt?: number;
}

const BREAKS = new Set(['LI', 'li', 'br', 'BR', 'P', 'p', 'FP', 'div', 'DIV']);
const MARKS = new Set(['SU', 'sup', 'SUP']);
const SKIP = new Set(['PRTPAGE', 'FTREF']);
const MARK_SENTINEL = '\u0001';

/** Reads a cell's children (FR `<ENT>` or eCFR `<TD>`) into lines and footnote marks. */
export function cellText(children: readonly XNode[]): CellText {
  const lines: string[] = [''];
  const marks: string[] = [];
  const walk = (nodes: readonly XNode[]): void => {
    for (const n of nodes) {
      if (!isElement(n)) {
        lines[lines.length - 1] += n.text;
        continue;
      }
      if (SKIP.has(n.tag)) continue;
      if (MARKS.has(n.tag)) {
        const mark = collapse(n.children.map((c) => (isElement(c) ? '' : c.text)).join(''));
        if (mark) marks.push(mark);
        if (marks.length === 1 && lines.length === 1) lines[0] += MARK_SENTINEL;
        continue;
      }
      if (BREAKS.has(n.tag)) {
        lines.push('');
        walk(n.children);
        lines.push('');
        continue;
      }
      walk(n.children);
    }
  };
  walk(children);
  const cleaned = lines
    .map((l) => collapse(l.replace(/\u00A0/g, ' ')))
    .filter((l) => l.replace(MARK_SENTINEL, '') !== '');
  const out: CellText = { lines: cleaned.map((l) => l.replace(MARK_SENTINEL, '')), marks };
  const at = cleaned[0]?.indexOf(MARK_SENTINEL) ?? -1;
  if (at >= 0) out.firstMarkAt = at;
  return out;
}

export interface ParsedEntityCell {
  name: string;
  aliases: string[];
  addresses: string[];
  /** How the name was delimited: footnote mark, alias marker, a known name, or the comma heuristic. */
  nameBy: 'mark' | 'alias-marker' | 'known-name' | 'comma' | 'whole-line';
}

const ALIAS_MARKER =
  /,?\s*\b([af])\.k\.a\.?,?\s*(?:the\s+following\s+([\w-]+)\s+(?:aliases|alias|names|name)\s*:?)?\s*/i;

/** Words after a comma that continue a name rather than start an address. */
const NAME_CONTINUATION =
  /^(?:Ltd|Limited|LTD|Inc|Incorporated|Co|Corp|Corporation|Company|LLC|L\.L\.C|LLP|PLC|Plc|Pte|GmbH|AG|S\.?A|S\.?L|AO|OAO|ZAO|PAO|OOO|JSC|PJSC|OJSC|CJSC|NPO|FZE|FZCO|FZC|FZ-LLC|LP|B\.?V|N\.?V|SRL|S\.R\.L|SpA|S\.p\.A|Sdn|Bhd|Kft|d\.o\.o|AB|AS|A\.S|Oy|KG|SAS|SARL|Pvt|Private|and\s)\b\.?/;

/** Tokens whose period belongs to them, so a final period after them is not the cell's. */
const ABBREVIATION_END =
  /(?:\b(?:Ltd|Co|Inc|Corp|Pte|Bhd|Sdn|Jr|Sr|St|No|Dr|Rd|Ave|Blvd|Bldg|Fl|Str|Pvt|Mfg|Intl|Dept|Univ|Assn|Bros|etc)|\b[A-Z]|\b(?:[A-Za-z]\.){1,}[A-Za-z])\.$/;

function dropCellPeriod(text: string): string {
  const t = text.trim();
  if (!t.endsWith('.')) return t;
  return ABBREVIATION_END.test(t) ? t : t.slice(0, -1);
}

function splitAddresses(text: string): string[] {
  const t = collapse(text);
  if (!t) return [];
  // "A; B; and C.": only the last address carries the "and".
  const parts = t
    .split(/;\s+/)
    .map((p, i, all) => (i === all.length - 1 ? p.replace(/^and\s+/, '') : p).trim())
    .filter((p) => p !== '');
  if (parts.length > 0) parts[parts.length - 1] = dropCellPeriod(parts[parts.length - 1]!);
  return parts.filter((p) => p !== '');
}

/** Splits "ALIAS. Address…" where an inline last alias runs into the addresses. */
function splitInlineTail(text: string): { alias: string; rest: string } {
  const candidates: number[] = [];
  const re = /\.\s+(?=\S)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) candidates.push(m.index);
  if (candidates.length === 0) return { alias: dropCellPeriod(text), rest: '' };
  const clean = candidates.find((i) => !ABBREVIATION_END.test(text.slice(0, i + 1)));
  const at = clean ?? candidates[0]!;
  const alias = text.slice(0, at + 1);
  return { alias: dropCellPeriod(alias), rest: text.slice(at + 1).trim() };
}

function startsWithKnownName(text: string, knownNames: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const name of knownNames) {
    if (!text.startsWith(name)) continue;
    const next = text.charAt(name.length);
    if (next !== '' && next !== ',' && next !== '.' && next !== '\n' && next !== ';') continue;
    if (!best || name.length > best.length) best = name;
  }
  return best;
}

/** Parses an Entity cell into name, aliases and addresses. Pure. */
export function parseEntityCell(
  cell: CellText,
  options: { knownNames?: readonly string[] } = {},
): ParsedEntityCell {
  const lines = cell.lines;
  const first = lines[0] ?? '';
  const marker = ALIAS_MARKER.exec(first);
  let name: string;
  let nameBy: ParsedEntityCell['nameBy'];
  let rest: string;
  let hasAliases = false;

  if (cell.firstMarkAt !== undefined && (!marker || cell.firstMarkAt <= marker.index)) {
    name = first.slice(0, cell.firstMarkAt).trim();
    nameBy = 'mark';
    rest = first.slice(cell.firstMarkAt);
    const m2 = ALIAS_MARKER.exec(rest);
    if (m2 && m2.index <= 1) {
      hasAliases = true;
      rest = rest.slice(m2.index + m2[0].length);
    } else {
      rest = rest.replace(/^\s*[,.]\s*/, '');
    }
  } else if (marker) {
    name = first.slice(0, marker.index).trim();
    nameBy = 'alias-marker';
    hasAliases = true;
    rest = first.slice(marker.index + marker[0].length);
  } else {
    const known = options.knownNames ? startsWithKnownName(first, options.knownNames) : undefined;
    if (known) {
      name = known;
      nameBy = 'known-name';
      rest = first.slice(known.length).replace(/^\s*[,.]\s*/, '');
    } else {
      let at = -1;
      const re = /,\s+/g;
      for (let m = re.exec(first); m; m = re.exec(first)) {
        const after = first.slice(m.index + m[0].length);
        if (NAME_CONTINUATION.test(after)) continue;
        at = m.index;
        break;
      }
      if (at >= 0) {
        name = first.slice(0, at).trim();
        nameBy = 'comma';
        rest = first.slice(at).replace(/^,\s*/, '');
      } else {
        name = lines.length > 1 ? first.replace(/,\s*$/, '') : dropCellPeriod(first);
        nameBy = 'whole-line';
        rest = '';
      }
    }
  }

  const tailLines = [rest, ...lines.slice(1)].map((l) => l.trim()).filter((l) => l !== '');
  const aliases: string[] = [];
  const addressText: string[] = [];

  if (hasAliases) {
    // Alias starts: an em (or en) dash at the start of a line or after ": ", "; ", ", ".
    let inAliases = true;
    tailLines.forEach((rawLine, lineIndex) => {
      const moreLines = lineIndex < tailLines.length - 1;
      // "f.k.a., —Former Name." on its own line continues the alias list.
      const line = inAliases ? rawLine.replace(/^[af]\.k\.a\.,?\s*(?=[\u2014\u2013])/i, '') : rawLine;
      if (!inAliases) {
        addressText.push(line);
        return;
      }
      if (!/^[\u2014\u2013]/.test(line)) {
        inAliases = false;
        addressText.push(line);
        return;
      }
      const pieces = line
        .split(/(?:^|(?<=[;:,]\s*(?:and\s+)?(?:[af]\.k\.a\.,?\s*)?))\s*[\u2014\u2013]\s*/)
        .filter((p) => p.trim() !== '');
      pieces.forEach((piece, i) => {
        const isLastPiece = i === pieces.length - 1;
        let text = piece
          .trim()
          .replace(/;\s*(?:and\s*)?(?:[af]\.k\.a\.,?\s*)?$/i, '')
          .replace(/,\s*[af]\.k\.a\.,?\s*$/i, '')
          .trim();
        if (isLastPiece) {
          const ended = /;\s*(?:and)?\s*$/.test(piece.trim());
          if (!ended && moreLines) {
            // Its own line (`<LI>—X.</LI>`): the whole line is the alias, addresses follow.
            text = dropCellPeriod(text);
            inAliases = false;
          } else if (!ended) {
            const { alias, rest: tail } = splitInlineTail(text);
            text = alias;
            if (tail) {
              addressText.push(tail);
              inAliases = false;
            } else {
              // "—X." ends the alias list; what follows on the next lines is addresses.
              inAliases = false;
            }
          }
        }
        if (text) aliases.push(text);
      });
    });
  } else {
    addressText.push(...tailLines);
  }

  const addresses = addressText.flatMap((t) => splitAddresses(t));
  return { name: collapse(name), aliases, addresses, nameBy };
}

const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 1 → "one", 42 → "forty-two" (the FR writes alias counts in words). */
export function numberWord(n: number): string {
  if (n < 20) return NUMBER_WORDS[n] ?? String(n);
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? `-${NUMBER_WORDS[n % 10]}` : '');
  return String(n);
}

function withPeriod(text: string): string {
  return text.endsWith('.') ? text : `${text}.`;
}

/**
 * Renders an entry's Entity cell as XML content in the FR convention: aliases each on their own
 * line (`lineTag`: `br` for eCFR, `LI` for FR tables), the addresses on the line after them.
 * `marks` are footnote marks to print after the name.
 */
export function renderEntityCell(
  entry: Pick<Entry, 'name' | 'aliases' | 'addresses'>,
  options: { lineTag?: 'br' | 'LI'; markTag?: 'sup' | 'SU'; marks?: readonly string[] } = {},
): string {
  const lineTag = options.lineTag ?? 'br';
  const line = (text: string): string =>
    lineTag === 'br' ? `<br/>${escapeXml(text)}` : `<LI>${escapeXml(text)}</LI>`;
  const markTag = options.markTag ?? 'sup';
  let out = escapeXml(entry.name);
  const marks = options.marks ?? [];
  for (const mark of marks) out += `<${markTag}>${escapeXml(mark)}</${markTag}>`;
  const addresses = entry.addresses.length === 0 ? '' : joinAddresses(entry.addresses);
  if (entry.aliases.length > 0) {
    const n = entry.aliases.length;
    out += `, a.k.a., the following ${numberWord(n)} ${n === 1 ? 'alias' : 'aliases'}:`;
    entry.aliases.forEach((alias, i) => {
      const sep = i === n - 1 ? '' : i === n - 2 ? '; and' : ';';
      out += line(`\u2014${i === n - 1 ? withPeriod(alias) : alias + sep}`);
    });
    if (addresses) out += line(addresses);
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
