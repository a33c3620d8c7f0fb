/**
 * The Entity column of a Supplement No. 4 row: the entry's name, then its aliases ("a.k.a., the
 * following two aliases: —A; and —B", inline or as `<LI>` items, and "f.k.a." names), then its
 * addresses joined by "; " and "; and ", ending in a period. Footnote marks (`<SU>`) follow the
 * name. This module turns the cell's ordered content into those fields.
 */

import { canonicalDestination, createDestinationMatcher, type DestinationMatcher } from './destinations.js';
import { parseCount } from './numbers.js';

export interface CellSegment {
  kind: 'inline' | 'li';
  /** Text with footnote marks as `\uE001<mark>\uE001` so their position is known. */
  text: string;
}

export interface ParsedEntityCell {
  name: string;
  aliases: string[];
  addresses: string[];
  /** Footnote marks found in the cell ("1", "2"). */
  footnoteRefs: string[];
  /** How the end of the name was found: a marker in the text, a name the document gives, or the comma rule. */
  nameBy: 'marker' | 'known-name' | 'line-break' | 'period-rule' | 'comma-rule' | 'whole-cell';
  /**
   * Destinations named by a cross-reference such as "(See alternate address under Singapore)":
   * the list's pointer to the same party's listing elsewhere; neither name nor address.
   */
  seeAlso: string[];
}

/**
 * The start of a cross-reference: "(See alternate address under Singapore)", "(See also addresses
 * under Greece, Pakistan, and U.K.)", "(See alternate address in Pakistan)", with or without
 * parentheses. Its end is found by `crossReferences` (balanced parentheses, "U.A.E." inside).
 */
const CROSS_REFERENCE_START =
  /(\(\s*)?(?:\bSee\s+(?:also\s+)?(?:the\s+)?(?:(?:alternate|alternative|other)\s+)?(?:address(?:es)?|entr(?:y|ies)|listings?)\s+(?:under|in)\s+|\bFor\s+(?:an\s+)?(?:alternate|alternative|other)\s+address(?:es)?,?\s+see\s+)(?:the\s+)?/gi;

/**
 * Takes the cross-references out of a cell's text: the text without them, and the destinations
 * they name, one per destination ("Greece, Pakistan, and U.K." → GREECE, PAKISTAN, UNITED KINGDOM).
 */
export function crossReferences(text: string): { text: string; destinations: string[] } {
  const destinations: string[] = [];
  let out = '';
  let from = 0;
  CROSS_REFERENCE_START.lastIndex = 0;
  for (let m = CROSS_REFERENCE_START.exec(text); m; m = CROSS_REFERENCE_START.exec(text)) {
    const start = m.index;
    let i = start + m[0].length;
    let end: number;
    let inner: string;
    if (m[1] !== undefined) {
      // Parenthesised: runs to the matching ")" ("under Crimea (Occupied))").
      let depth = 1;
      for (; i < text.length && depth > 0; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')') depth--;
      }
      inner = text.slice(start + m[0].length, depth === 0 ? i - 1 : i);
      end = i;
    } else {
      // Bare: runs to the end of the sentence (a period that is not an abbreviation's) or ";".
      const rest = text.slice(i);
      const stop = /;|\.(?=\s+\p{Lu}|\s*$)(?<!\b\p{Lu}\.)/u.exec(rest);
      inner = stop ? rest.slice(0, stop.index) : rest;
      end = i + inner.length;
    }
    out += text.slice(from, start);
    from = end;
    destinations.push(...splitDestinations(inner));
    CROSS_REFERENCE_START.lastIndex = end;
  }
  out += text.slice(from);
  // "…, France. (See alternate address under China)." leaves "France. ." : one period ends it.
  const joined = out.replace(/\s+([.;,])/g, '$1').replace(/([.;,])\.(?=\s|$)/g, '$1');
  return { text: destinations.length > 0 ? joined : text, destinations };
}

let sharedMatcher: DestinationMatcher | undefined;
/** One matcher of known destination spellings for the module (building one sorts every spelling). */
function destinationMatcher(): DestinationMatcher {
  sharedMatcher ??= createDestinationMatcher();
  return sharedMatcher;
}

/**
 * A destination as a cross-reference value: the list's name for it, unless that name holds a comma
 * ("CHINA, PEOPLE'S REPUBLIC OF"), where the printed spelling is kept ("CHINA") so that a list of
 * destinations never reads as more destinations than it names.
 */
function listForm(canonical: string, printed: string): string {
  if (!canonical.includes(',')) return canonical;
  return printed
    .replace(/^the\s+/i, '')
    .replace(/\s+/g, ' ')
    .replace(/[\s.;,]+$/, '')
    .toUpperCase();
}

/**
 * "Greece, Pakistan, and U.K." → ["GREECE", "PAKISTAN", "UNITED KINGDOM"]. A destination whose name
 * holds "and" ("Bosnia and Herzegovina") stays whole; "UCB Arcade in Uganda" names Uganda; "Taiwan
 * for this entry, which is listed as …" names Taiwan.
 */
export function splitDestinations(text: string): string[] {
  let t = text
    .replace(FOOTNOTE, '')
    .replace(/\s+/g, ' ')
    .replace(/\s+for\s+(?:this|that|these)\s+entr(?:y|ies)\b.*$/i, '')
    .trim();
  const inAt = t.search(/\s+in\s+(?=\p{Lu})/u);
  if (inAt > 0) t = t.slice(inAt).replace(/^\s+in\s+/, '');
  const matcher = destinationMatcher();
  const out: string[] = [];
  let i = 0;
  while (i < t.length) {
    const sep = /^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+)/i.exec(t.slice(i));
    if (sep && sep[0].length > 0) {
      i += sep[0].length;
      continue;
    }
    const known = matcher(t, i);
    if (known) {
      out.push(listForm(known.canonical, t.slice(i, i + known.length)));
      i += known.length;
      continue;
    }
    const next = /\s*,\s*|\s+and\s+/i.exec(t.slice(i));
    const raw = next ? t.slice(i, i + next.index) : t.slice(i);
    const d = canonicalDestination(raw.replace(/^the\s+/i, ''));
    if (d) out.push(listForm(d, raw));
    i += raw.length;
  }
  return [...new Set(out)];
}

const FOOTNOTE = /\uE001([^\uE001]*)\uE001/g;
const ALIAS_MARKER =
  /,?\s*\(?(?:\b(?:a\.\s?k\.\s?a\.?|aka(?=\s+\S)|f\.\s?k\.\s?a\.?|also\s+known\s+as|formerly\s+known\s+as|d\.\s?b\.\s?a\.?|doing\s+business\s+as)(?=[\s,:;—–-]|$)|(?:\band\s+)?(?=\bthe\s+following\s+\S+\s+alias(?:es)?\b))/i;
const ALIAS_MARKER_AT_START = new RegExp(`^${ALIAS_MARKER.source.replace(/^,\?\\s\*/, '')}`, 'i');
/** Dashes that introduce an alias item. */
const ITEM_DASH = /\s*(?:—|--|–(?=\s*[\p{Lu}\p{N}"“(]))\s*/u;

/**
 * Company forms and suffixes that follow a comma inside a name ("Hivocal Technology Company,
 * Ltd.", "Gazprom, OAO", "Institut Stroiproekt, AO"): a comma before one of these does not end
 * the name.
 */
const LEGAL_FORM_AFTER_COMMA = new RegExp(
  '^(?:' +
    [
      'co\\.?,?\\s*ltd',
      'ltd',
      'limited',
      'l\\.?l\\.?c',
      'llp',
      'l\\.?p',
      'inc',
      'incorporated',
      'co',
      'corp',
      'corporation',
      'company',
      'plc',
      'p\\.?l\\.?c',
      'jsc',
      'ojsc',
      'pjsc',
      'cjsc',
      'oao',
      'zao',
      'ooo',
      'ao',
      'pao',
      'tov',
      'too',
      'dp',
      'fgup',
      'nii',
      's\\.?a\\.?s',
      's\\.?a\\.?r\\.?l',
      'sarl',
      's\\.?a',
      'sa',
      's\\.?l',
      's\\.?r\\.?l',
      'srl',
      's\\.?p\\.?a',
      'spa',
      'gmbh',
      'ag',
      'kg',
      'se',
      'b\\.?v',
      'bv',
      'n\\.?v',
      'nv',
      'pvt',
      'pty',
      'sdn\\.?\\s*bhd',
      'bhd',
      'fze',
      'fzco',
      'fz[\\s-]?llc',
      'dmcc',
      'ltda',
      'cia',
      'a\\.?s',
      'a\\.?ş',
      'kft',
      'sp\\.?\\s*z\\s*o\\.?\\s*o',
      'oy',
      'ab',
      'as',
      'aps',
      'k\\.?k',
      'jr',
      'sr',
      'ii',
      'iii',
      'iv',
      'esq',
      'the',
      'et\\s+al',
      'ulc',
      'lda',
      'sae',
      'pte',
      'tic',
      'san',
    ].join('|') +
    ')\\.?(?=$|[\\s,.;:)\\uE001]|\\s*\\()',
  'i',
);

/** Abbreviations after which ". " does not end an alias (initials, "No. 11", "St. Petersburg"). */
const NO_SPLIT_BEFORE_PERIOD =
  /^(?:[\p{L}](?:\.[\p{L}])*|No|Nos|St|Mt|Dr|Mr|Mrs|Ms|Gen|Prof|Col|Lt|Maj|Capt|vs|Ste|Sq|Blvd|Av)$/u;

/** Abbreviations whose final period belongs to the word, not to the cell's punctuation. */
const KEEPS_PERIOD =
  /(?:\b(?:[\p{L}]\.){2,}|\b(?:Ltd|Co|Inc|Corp|Bhd|Pvt|Pty|Jr|Sr|St|No|Ave|Blvd|Rd|Bldg|Ste|Ltda|Cia|Sdn|Dept|Intl|Mfg|Bros|Assn|Dist|Prov|Str|Ul|Pr|Pte|Sq|Tic|San|Sti|Sp|Av|Apt)\.)$/iu;

/**
 * A word whose period does not end a sentence: an initial ("V."), a company form ("Ltd.",
 * "Pvt."), or a short abbreviation ("No.", "St.").
 */
export function isAbbreviation(word: string): boolean {
  return (
    NO_SPLIT_BEFORE_PERIOD.test(word) || LEGAL_FORM_AFTER_COMMA.test(word) || KEEPS_PERIOD.test(`${word}.`)
  );
}

export function stripFinalPeriod(text: string): string {
  const t = text.trim();
  if (!t.endsWith('.') || KEEPS_PERIOD.test(t)) return t;
  return t.slice(0, -1).trimEnd();
}

function clean(text: string): string {
  return text.replace(FOOTNOTE, '').replace(/\s+/g, ' ').trim();
}

/**
 * Strips list punctuation from an alias or address item: leading dash and "and", trailing
 * "; and", final period. `keepAnd` keeps a leading "and" that is not the list's joining word.
 */
function cleanItem(text: string, keepAnd = false): string {
  let t = clean(text).replace(/^(?:—|--|–|-)\s*/, '');
  if (!keepAnd) t = t.replace(/^and\s+/i, '');
  t = t
    .replace(/\s*;\s*(?:and)?\s*$/i, '')
    .replace(/\s*,\s*(?:and)?\s*$/i, '')
    .replace(/\s+and$/i, '');
  return stripFinalPeriod(t).replace(/[;,]$/, '').trim();
}

export interface CellContext {
  /** Names the document gives for entries (instruction quotes, SUPLINF lists), as `nameProbeKey`s. */
  knownNames?: ReadonlySet<string>;
  /**
   * The cell's first line is the name whole when no alias marker or footnote ends it earlier
   * (the eCFR prints "Name,<br/> <br/> address"). Default false (FR `<LI>` lines may continue an
   * address begun on the first line).
   */
  lineEndsName?: boolean;
  /**
   * Keep an "and" that begins an address before the last one (default true: the constructed FR
   * corpus prints and expects it). False: every leading "and" is the list's joining word.
   */
  keepLeadingAnd?: boolean;
}

/**
 * A cheap comparison key for finding where a known name ends in a cell: case, punctuation and
 * spacing do not matter. Lighter than identity's `normalizeName`, which is for entry keys; it
 * runs once per comma of every row, so it has to be.
 */
export function nameProbeKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function parseEntityCell(input: CellSegment[], context: CellContext = {}): ParsedEntityCell {
  const seeAlso: string[] = [];
  // A line that held only a cross-reference is no line: it cannot end a name or hold an address.
  const segments = input
    .map((s) => {
      const refs = crossReferences(s.text);
      seeAlso.push(...refs.destinations);
      return { ...s, text: refs.text };
    })
    .filter((s, i) => i === 0 || /[\p{L}\p{N}]/u.test(s.text));
  const footnoteRefs: string[] = [];
  for (const s of segments) for (const m of s.text.matchAll(FOOTNOTE)) footnoteRefs.push(m[1]!.trim());

  const firstLi = segments.findIndex((s) => s.kind === 'li');
  const head = segments
    .slice(0, firstLi < 0 ? segments.length : firstLi)
    .map((s) => s.text)
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  const lis = segments.filter((s) => s.kind === 'li').map((s) => s.text.replace(/\s+/g, ' ').trim());
  const tail =
    firstLi < 0
      ? ''
      : segments
          .slice(firstLi)
          .filter((s) => s.kind === 'inline')
          .map((s) => s.text)
          .join(' ');

  const { nameEnd, nameBy } = findNameEnd(head, context.knownNames, lis.length > 0, context.lineEndsName);
  // A name found at a comma keeps a comma printed before it ("Pte., Ltd.,, Sim Lim Tower");
  // one found at a footnote mark or alias marker, or running to the end, loses a trailing comma.
  const printed = stripFinalPeriodIfWholeCell(clean(head.slice(0, nameEnd)), nameBy);
  const name = (
    nameBy === 'known-name' || nameBy === 'comma-rule'
      ? printed
      : printed.replace(/,$/, '').replace(/\s+(?:and|or)$/i, '')
  ).trim();
  let rest = clean(head.slice(nameEnd)).replace(/^[,;.]\s*/, '');

  const aliases: string[] = [];
  const addressTexts: string[] = [];

  // Alias sections can repeat: "a.k.a., the following two aliases: —A; and —B; f.k.a., —C."
  let announcedCount: number | undefined;
  while (ALIAS_MARKER_AT_START.test(rest)) {
    const marker = ALIAS_MARKER_AT_START.exec(rest)!;
    rest = rest.slice(marker[0].length).replace(/^\s*,?\s*/, '');
    const announced = /^(?:as\s+)?the\s+following\s+(\S+)\s+alias(?:es)?\s*:?\s*/i.exec(rest);
    if (announced) {
      rest = rest.slice(announced[0].length);
      announcedCount ??= parseCount(announced[1]!);
    } else rest = rest.replace(/^(?:(?:as\s+)?the\s+following(?:\s+alias(?:es)?)?\s*:)\s*/i, '');
    const counted =
      announced && announcedCount !== undefined && rest && !/^(?:—|--|–)/.test(rest.trim())
        ? readCountedAliases(rest, announcedCount)
        : undefined;
    const parsed = counted ?? readInlineAliases(rest, lis.length > 0);
    aliases.push(...parsed.aliases);
    rest = parsed.rest.replace(/^[,;]\s*/, '');
  }
  if (rest) addressTexts.push(rest);

  // "a.k.a., the following one alias:" then lines without dashes: the announced number of lines are
  // the aliases ("<br/>VNIIFTRI.<br/> <br/> Mendeleevo Village, …").
  let undashed =
    announcedCount !== undefined &&
    aliases.length === 0 &&
    lis.length > announcedCount &&
    !lis.some((l) => /^(?:—|--|–)/.test(clean(l)))
      ? announcedCount
      : 0;
  // The last dashed line may run on into the address ("—Gazmash. d. 54 korp. 1 …") when no
  // address line follows it.
  const lastLine = lis.length - 1;
  for (const [i, li] of lis.entries()) {
    if (undashed > 0) {
      undashed--;
      aliases.push(cleanItem(li));
      continue;
    }
    const stripped = clean(li);
    const fka = ALIAS_MARKER_AT_START.exec(stripped);
    if (fka) {
      const parsed = readInlineAliases(stripped.slice(fka[0].length).replace(/^\s*,?\s*/, ''), true);
      aliases.push(...parsed.aliases);
      if (parsed.rest) addressTexts.push(parsed.rest);
    } else if (/^(?:—|--|–)/.test(stripped)) {
      // "—Engineering Research Laboratories (ERL);—Institute of …": two items on one line.
      const items = stripped.split(/;\s*(?:and\s+)?(?=—)/);
      if (i === lastLine && !tail.trim()) {
        const last = items.pop()!;
        const split = lastAliasEnd(last);
        items.push(last.slice(0, split));
        const address = last
          .slice(split)
          .replace(/^[\s,;.]+/, '')
          .trim();
        if (address) addressTexts.push(address);
      }
      aliases.push(...items.map((a) => cleanItem(a)));
    } else if (stripped) {
      addressTexts.push(stripped);
    }
  }
  if (tail.trim()) addressTexts.push(clean(tail));

  const keepAnd = context.keepLeadingAnd ?? true;
  const addresses = addressTexts.flatMap((t) => splitAddresses(t, keepAnd)).filter((a) => a.length > 0);
  return {
    name,
    aliases: aliases.filter((a) => a.length > 0),
    addresses,
    footnoteRefs,
    nameBy,
    seeAlso: [...new Set(seeAlso)],
  };
}

function stripFinalPeriodIfWholeCell(name: string, nameBy: ParsedEntityCell['nameBy']): string {
  return nameBy === 'whole-cell' ? stripFinalPeriod(name) : name;
}

/**
 * Where the alias marker that ends the name begins. A former name in parentheses right after the
 * name ("OOO Shipyard 'Zaliv' (f.k.a., AO Shipyard 'Zaliv'), a.k.a., the following two aliases:")
 * is printed as part of the name when another marker follows it: the list announces and counts
 * only the aliases after the name.
 */
function aliasMarkerAt(head: string): number {
  const marker = ALIAS_MARKER.exec(head);
  if (!marker) return -1;
  const at = marker.index;
  if (!/^,?\s*\(/.test(marker[0])) return at;
  const open = head.indexOf('(', at);
  let depth = 0;
  let close = -1;
  for (let i = open; i < head.length; i++) {
    if (head[i] === '(') depth++;
    else if (head[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return at;
  const after = head.slice(close + 1);
  const next = ALIAS_MARKER.exec(after);
  if (next && /^\s*,?\s*$/.test(after.slice(0, next.index)) && !/^,?\s*\(/.test(next[0]))
    return close + 1 + next.index;
  return at;
}

/** Longer than any name on the list (the longest are about 150 characters). */
const MAX_NAME_LENGTH = 300;

/** Where the name ends in the text before the first list item. */
function findNameEnd(
  head: string,
  knownNames: ReadonlySet<string> | undefined,
  hasListItems: boolean,
  lineEndsName = false,
): { nameEnd: number; nameBy: ParsedEntityCell['nameBy'] } {
  const footnote = head.indexOf('\uE001');
  const markerAt = aliasMarkerAt(head);
  const candidates = [footnote, markerAt].filter((i) => i > 0);
  if (candidates.length > 0) return { nameEnd: Math.min(...candidates), nameBy: 'marker' };
  if (lineEndsName && hasListItems && head.trim()) {
    return { nameEnd: head.replace(/[\s,;:]+$/, '').length, nameBy: 'line-break' };
  }

  // A run of commas (",,", a slip in the printed list) is one boundary, at its last comma.
  const boundaries: number[] = [];
  for (let i = head.indexOf(','); i >= 0; i = head.indexOf(',', i + 1)) {
    if (head[i + 1] !== ',') boundaries.push(i);
  }
  // A semicolon outside parentheses ends a part as a comma does ("A. Leib Ltd.; HA'Assif 19, …").
  const semicolon = /;(?![^(]*\))/.exec(head);
  if (semicolon) {
    boundaries.push(semicolon.index);
    boundaries.sort((a, b) => a - b);
  }
  const trimmedEnd = head.replace(/[.\s]+$/, '').length;
  boundaries.push(trimmedEnd);

  if (knownNames && knownNames.size > 0) {
    let best = -1;
    for (const b of boundaries) {
      if (b > MAX_NAME_LENGTH) break;
      if (knownNames.has(nameProbeKey(head.slice(0, b)))) best = b;
    }
    if (best > 0) {
      // A document may quote the short form ("Gazprom") of a name printed with its company form.
      for (const b of boundaries) {
        if (b > best && b !== trimmedEnd && LEGAL_FORM_AFTER_COMMA.test(head.slice(best + 1).trimStart()))
          best = b;
      }
      return { nameEnd: best, nameBy: 'known-name' };
    }
  }

  const sentence = sentenceEnd(head);
  for (const b of boundaries) {
    if (b === trimmedEnd) break;
    if (sentence > 0 && sentence < b) return { nameEnd: sentence, nameBy: 'period-rule' };
    const after = head.slice(b + 1).trimStart();
    if (LEGAL_FORM_AFTER_COMMA.test(after)) continue;
    if (namesACompany(head, b, boundaries)) continue;
    return { nameEnd: b, nameBy: 'comma-rule' };
  }
  if (sentence > 0) return { nameEnd: sentence, nameBy: 'period-rule' };
  return { nameEnd: hasListItems ? head.length : head.length, nameBy: 'whole-cell' };
}

/** A company form that ends a name: "… Co.", "… Ltd.", "… LLC", "… GmbH", "… PT". */
const ENDS_IN_LEGAL_FORM =
  /\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|l\.l\.c|gmbh|jsc|ojsc|pjsc|ooo|plc|pte|pvt|fze|fzco|fzc|dmcc|s\.a|s\.r\.l|b\.v|pt)\.?$/i;

/**
 * The part after a comma, with any company forms after it, is itself a company's name ending in a
 * company form and holding no number: the name goes on ("JLD Technology, Hong Kong Co., Ltd., Room
 * 1237 …"; "Huawei Tech Investment, PT, Bri Ii Building …"). An address part holds a number or ends
 * otherwise.
 */
function namesACompany(head: string, at: number, boundaries: readonly number[]): boolean {
  const next = boundaries.find((b) => b > at);
  if (next === undefined) return false;
  let end = next;
  // "Hong Kong Co., Ltd.": the company forms after the part belong to it.
  for (const b of boundaries) {
    if (b <= end) continue;
    if (!LEGAL_FORM_AFTER_COMMA.test(head.slice(end + 1).trimStart())) break;
    end = b;
  }
  const part = head.slice(at + 1, end).trim();
  // Short: "Hong Kong Co., Ltd.", "PT"; a longer company after a person is where the person is found.
  if (!part || /\d/.test(part) || part.split(/\s+/).length > 4) return false;
  // Something must follow: a name that is the whole cell has nothing to be told apart from.
  if (end >= head.replace(/[.\s]+$/, '').length) return false;
  return ENDS_IN_LEGAL_FORM.test(part.replace(/[,;]+$/, ''));
}

/**
 * Where a name printed without a comma after it ends at a period: "Joint Stock Company 766 UPTK. 1
 * Institutskaya Street, …" (a period, then a house number) and "Juba Petrotech Technical Services
 * Ltd. South Sudan." (a period, then only a destination). A period after an initial or "No." does
 * not count; the period stays with the name when it belongs to an abbreviation ("Co.").
 */
function sentenceEnd(head: string): number {
  for (const m of head.matchAll(/\.\s+(?=\d)/g)) {
    const before = /(\S+)$/.exec(head.slice(0, m.index))?.[1] ?? '';
    if (NO_SPLIT_BEFORE_PERIOD.test(before)) continue;
    return KEEPS_PERIOD.test(`${before}.`) || LEGAL_FORM_AFTER_COMMA.test(before) ? m.index + 1 : m.index;
  }
  const last = /\.\s+([^.,;]+?)\.?\s*$/.exec(head);
  if (last) {
    const before = /(\S+)$/.exec(head.slice(0, last.index))?.[1] ?? '';
    const place = last[1]!.trim();
    const known = destinationMatcher()(place, 0);
    if (known && known.length >= place.length && !NO_SPLIT_BEFORE_PERIOD.test(before))
      return KEEPS_PERIOD.test(`${before}.`) || LEGAL_FORM_AFTER_COMMA.test(before)
        ? last.index + 1
        : last.index;
  }
  return -1;
}

/**
 * Reads dash-introduced aliases from running text: "—A; and —B. 12 Main St, City." The last alias
 * ends at the first sentence-ending period, which is where the address starts — unless list items
 * follow, in which case the addresses are in them and the whole text is aliases.
 */
function readInlineAliases(text: string, listItemsFollow: boolean): { aliases: string[]; rest: string } {
  const t = text.trim();
  if (!t) return { aliases: [], rest: '' };
  if (!/^(?:—|--|–)/.test(t)) {
    // "a.k.a. Foo Ltd., 12 Main St" (no dashes): one alias, ended like a name.
    const { nameEnd } = findNameEnd(t, undefined, listItemsFollow);
    const alias = cleanItem(t.slice(0, nameEnd));
    return { aliases: alias ? [alias] : [], rest: t.slice(nameEnd).replace(/^[,;.]\s*/, '') };
  }
  // "—A; and —B; f.k.a., —C. Address": a former name listed among the aliases is an alias too.
  const items = t
    .replace(/;?\s*(?:and\s+)?(?:f\.\s?k\.\s?a\.?|formerly\s+known\s+as),?\s*(?=—|--)/gi, '; ')
    .split(ITEM_DASH)
    .filter((s, i) => i > 0 || s.trim() !== '');
  const aliases: string[] = [];
  let rest = '';
  items.forEach((item, i) => {
    if (i < items.length - 1 || listItemsFollow) {
      aliases.push(cleanItem(item));
      return;
    }
    const split = lastAliasEnd(item);
    aliases.push(cleanItem(item.slice(0, split)));
    rest = item.slice(split).trim();
  });
  return { aliases, rest };
}

/**
 * Reads aliases printed inline without dashes when the cell announces how many: "the following two
 * aliases: Star Aviation Group; and Star Aviation Services FZC. Sharjah Airport …". The first N−1
 * end at ";", the last at the first sentence-ending period, where the address begins.
 */
function readCountedAliases(text: string, count: number): { aliases: string[]; rest: string } {
  const items = text.split(/\s*;\s*(?:and\s+)?/i);
  if (count < 1 || items.length < count) return readInlineAliases(text, false);
  const aliases = items.slice(0, count - 1).map((a) => cleanItem(a));
  const last = items.slice(count - 1).join('; ');
  const split = lastAliasEnd(last);
  aliases.push(cleanItem(last.slice(0, split)));
  return { aliases, rest: last.slice(split).trim() };
}

/**
 * Where the last alias of a list ends when the address runs on after it: at a sentence end ("Star
 * Aviation Services FZC. Sharjah Airport …", "Kosol Surinandha.140/65 ITF Tower"), or at a comma
 * when what follows holds a number, as an address does ("APEX Ltd., 26 General Belov St …", "EMEC,
 * Suite 7, Floor 6, …"), whichever comes first. A comma before words alone ("Communication,
 * Telemetry and Telecontrol Research Institute") stays in the alias.
 */
function lastAliasEnd(item: string): number {
  let end = aliasAddressSplit(item);
  const glued = /(?<=\p{Ll}{2,})\.(?=\d)/u.exec(item);
  if (glued && glued.index + 1 < end) end = glued.index + 1;
  const byComma = findNameEnd(item, undefined, false);
  // The number must come before the sentence end: "University, Yibin … Institute. No. 24 …" ends at the
  // period (the comma is inside the alias), "APEX Ltd., 26 General Belov St" at the comma.
  if (byComma.nameBy === 'comma-rule' && byComma.nameEnd < end && /\d/.test(item.slice(byComma.nameEnd, end)))
    end = byComma.nameEnd;
  return end;
}

/** Index in `item` where the address begins after the last alias ("Foo Co. 9F No. 38 …" → after "Co."). */
function aliasAddressSplit(item: string): number {
  for (const m of item.matchAll(/\.\s+(?=\S)/g)) {
    const before = /(\S+)$/.exec(item.slice(0, m.index))?.[1] ?? '';
    if (NO_SPLIT_BEFORE_PERIOD.test(before)) continue;
    // "Co. Ltd." and the like continue the alias.
    if (LEGAL_FORM_AFTER_COMMA.test(item.slice(m.index + m[0].length))) continue;
    // An alias may itself continue after ", " ("Co., Ltd."), never after ". " — so this is the address.
    return m.index + 1;
  }
  // No period: a semicolon list of aliases cannot be told from addresses, so treat as all alias.
  return item.length;
}

/**
 * "A; B; and C." → ["A", "B", "C"]. The "and" that joins the last address is punctuation; one
 * that begins an earlier address is printed as part of it ("…; and Room B03, …; and Room G, …"
 * when an address was added after the last) and is kept, as the list itself keeps it.
 */
export function splitAddresses(text: string, keepLeadingAnd = true): string[] {
  const items = text.split(/\s*;\s*/);
  return (
    items
      .map((a, i) => cleanItem(a, keepLeadingAnd && i < items.length - 1))
      // "…, Russia; and" closing one list item: the "and" joins, it is not an address.
      .filter((a) => a.length > 0 && !/^and$/i.test(a))
  );
}
