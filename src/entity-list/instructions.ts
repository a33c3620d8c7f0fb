import type { ChangeAction } from './types.js';
import { canonicalDestination, createDestinationMatcher, type DestinationMatcher } from './destinations.js';
import { NUMBER_WORD, parseCount } from './numbers.js';

/**
 * Amendatory instructions (AMDPAR) that change Supplement No. 4 to part 744, read into
 * (action, destination, names, count) groups. BIS has worded them many ways over the years:
 *
 *   "Supplement No. 4 to part 744 is amended by adding under Russia, in alphabetical order,
 *    eight entities to read as follows:"
 *   "j. By revising under Iran, one entity, "Bahman Ghandi"; and"
 *   "… is amended by removing under Malaysia, one entity, "X"; under the United Kingdom, one
 *    entity, "Y"; and under China, one entity, "Z"."
 *   "b. Under CHINA, PEOPLE'S REPUBLIC OF, adding in alphabetical order entries for "A" and "B";"
 *   "In supplement no. 4 to part 744, under PAKISTAN, the entry for "X", published at 85 FR
 *    37648 on June 5, 2020, is corrected to read as follows:"
 *
 * Rather than one pattern per wording, the text is read as a stream of tokens (verbs,
 * "under <destination>", counts, quoted names) and a small state machine groups them. That is
 * what lets unseen combinations ("adding … and revising …", names before or after the verb,
 * several destinations per clause) parse without new code.
 */

export interface InstructionGroup {
  action: ChangeAction;
  /** Canonical destination, when the instruction names one. */
  country?: string;
  /** The destination as the instruction writes it. */
  countryText?: string;
  /** Entry names in quotes, in order. */
  names: string[];
  /** "twenty-eight entities", "an entry": the number the instruction announces. */
  count?: number;
  /**
   * Every destination the clause names together ("removing under Afghanistan and Pakistan, one
   * entity, …"), when it names more than one; the clause is then one group per destination.
   */
  together?: string[];
}

export interface AmendatoryInstruction {
  /** The AMDPAR's text (whitespace collapsed). */
  text: string;
  /** "2", "a"… when the paragraph is numbered or lettered. */
  label?: string;
  /** The paragraph names Supplement No. 4 to part 744 (it opens or is an Entity List amendment). */
  namesSupplement4: boolean;
  /** The paragraph names another provision ("Section 744.21 is amended…"): it closes an Entity List run. */
  namesOtherProvision: boolean;
  /** The paragraph corrects an earlier rule. */
  isCorrection: boolean;
  /** Every destination the paragraph names, in order (also those no group took: "a. Under CHINA:"). */
  destinations: string[];
  correctsDocument?: string;
  correctsCitation?: string;
  groups: InstructionGroup[];
}

/** Supplement No. 4 to part 744 (or "to this part" in part 744's text), never that of another part. */
const SUPPLEMENT_4 =
  /\b(?:supplement|supp\.?)\s*(?:no\.?|number|#)?\s*(?:4|four)\b(?!\s*(?:to|of)\s*(?:15\s*CFR\s*)?part\s*(?!744\b)\d)/i;
const ENTITY_LIST = /\bentity\s+list\b/i;
const OTHER_PROVISION =
  /^(?:\S+\s+)?(?:(?:in\s+)?§+\s*\d|sections?\s+\d|(?:the\s+)?authority\s+citation|part\s+\d+\s+is|supplement\s+no\.?\s*(?:[1-35-9]|\d{2,})\b)/i;

type Token =
  | { kind: 'verb'; action: ChangeAction | 'corrected'; at: number }
  | {
      kind: 'under';
      country: string;
      text: string;
      also: Array<{ country: string; text: string }>;
      at: number;
    }
  | { kind: 'count'; count?: number; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'break'; at: number };

const VERBS: Array<[RegExp, ChangeAction | 'corrected']> = [
  [/\b(?:adding|add|adds|added)\b/gi, 'add'],
  [/\b(?:revising|revise|revises|revised|amending\s+the\s+entr(?:y|ies))\b/gi, 'revise'],
  [/\b(?:removing|remove|removes|removed|deleting|delete)\b/gi, 'remove'],
  [/\b(?:correcting|correct|corrects|corrected)\b/gi, 'corrected'],
];

const ENTRY_NOUN =
  '(?:new\\s+|additional\\s+|separate\\s+)?(?:entit(?:y|ies)|entr(?:y|ies)|persons?|individuals?|companies|company|organizations?|parties|party)';
const COUNT = new RegExp(
  `\\b(?:(the\\s+following\\s+)?(${NUMBER_WORD.source})(?:\\s*\\(\\d+\\))?\\s+(?:[A-Z][\\p{L}'-]+\\s+){0,2}${ENTRY_NOUN}|(the|these|those)\\s+(?:${ENTRY_NOUN})(?=\\s+(?:for|under|of|listed|\\uE000)|,?\\s*\\uE000)|(entit(?:y|ies)|entr(?:y|ies))\\s+for|(the\\s+following)\\s+(?:${ENTRY_NOUN}))\\b`,
  'giu',
);

const DEFAULT_DESTINATIONS = createDestinationMatcher();

/**
 * Reads one AMDPAR. Pure. `destinations` recognises destination names: pass the spellings the
 * document's table prints, or a matcher built from them once with `createDestinationMatcher`.
 */
export function parseAmendatoryInstruction(
  rawText: string,
  destinations: DestinationMatcher | Iterable<string> = DEFAULT_DESTINATIONS,
): AmendatoryInstruction {
  const matchDestination =
    typeof destinations === 'function' ? destinations : createDestinationMatcher(destinations);
  const text = rawText.replace(/\s+/g, ' ').trim();
  const { masked, names } = maskQuotedNames(text);
  const label = /^\(?([0-9]{1,3}|[a-z]{1,2}|[ivxlc]{1,5})[.)]\s/.exec(masked)?.[1];
  const body = label ? masked.replace(/^\(?[0-9a-z]{1,5}[.)]\s+/, '') : masked;

  const isCorrection = /\bcorrect(?:ed|ing|ion|s)?\b/i.test(body) && !/\bincorrect/i.test(body);
  const correctsDocument = /\bFR\s+Doc\.?\s*(?:No\.?\s*)?([A-Z]?\d{2,4}\s*[-–—]\s*\d{1,6})/i
    .exec(body)?.[1]
    ?.replace(/\s+/g, '')
    .replace(/[–—]/g, '-');
  const correctsCitation = isCorrection
    ? /\b(\d{1,3})\s*FR\s*(\d{1,6})\b/.exec(body)?.slice(1, 3).join(' FR ')
    : undefined;

  const tokens = tokenize(body, names, matchDestination);
  const groups = groupTokens(tokens, isCorrection);
  const named = tokens.flatMap((t) => (t.kind === 'under' ? [t.country] : []));
  const otherProvision = OTHER_PROVISION.test(body);
  // "The Entity List" names the supplement only when the paragraph is not about another section.
  const namesSupplement4 = SUPPLEMENT_4.test(body) || (ENTITY_LIST.test(body) && !otherProvision);
  return {
    text,
    label,
    namesSupplement4,
    namesOtherProvision: !namesSupplement4 && otherProvision,
    isCorrection,
    destinations: named,
    correctsDocument,
    correctsCitation,
    groups,
  };
}

const NAME_MARK = '\uE000';

/**
 * Replaces each top-level quoted name with a placeholder, so that commas and semicolons inside
 * names ("Longtek Company, Ltd.") never split clauses. Handles curly and straight quotes and one
 * level of quotes inside a name ("JSC "Kronstadt"").
 */
export function maskQuotedNames(text: string): { masked: string; names: string[] } {
  const names: string[] = [];
  let out = '';
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const kind = QUOTE_KIND[ch];
    if (kind === undefined) {
      if (depth === 0) out += ch;
      continue;
    }
    const prev = i > 0 ? text[i - 1]! : ' ';
    const next = i + 1 < text.length ? text[i + 1]! : ' ';
    const closes =
      depth > 0 &&
      (kind === 'close' ||
        (kind === 'straight' && /\S/.test(prev) && (/[\s,;:.)\]}]/.test(next) || next in QUOTE_KIND)));
    const opens =
      kind === 'open' ||
      (kind === 'straight' && (/[\s([{—–-]/.test(prev) || i === 0 || prev in QUOTE_KIND) && /\S/.test(next));
    if (closes) {
      depth--;
      if (depth === 0) {
        names.push(cleanQuotedName(text.slice(start, i)));
        out += `${NAME_MARK}${names.length - 1}${NAME_MARK}`;
      }
    } else if (opens) {
      if (depth === 0) start = i + 1;
      depth++;
    } else if (depth === 0) {
      out += ch;
    }
  }
  if (depth > 0) {
    // An unbalanced quote: keep the text rather than swallow the rest of the instruction.
    out += text.slice(start - 1);
  }
  return { masked: out, names };
}

const QUOTE_KIND: Record<string, 'open' | 'close' | 'straight'> = {
  '"': 'straight',
  '\u201C': 'open',
  '\u201E': 'open',
  '\u201F': 'open',
  '\u201D': 'close',
};

function cleanQuotedName(name: string): string {
  // American punctuation puts the list comma inside the quotes: "A," "B," and "C."
  return name.replace(/\s+/g, ' ').replace(/,\s*$/, '').trim();
}

function tokenize(body: string, names: string[], matchDestination: DestinationMatcher): Token[] {
  const tokens: Token[] = [];
  for (const [re, action] of VERBS) {
    for (const m of body.matchAll(re)) tokens.push({ kind: 'verb', action, at: m.index });
  }
  for (const m of body.matchAll(/\bunder\s+(?:the\s+)?(?:destination\s+(?:of\s+)?)?(?:the\s+)?/gi)) {
    const at = m.index + m[0].length;
    const known = matchDestination(body, at);
    if (known) {
      tokens.push({
        kind: 'under',
        country: known.canonical,
        text: body.slice(at, at + known.length),
        also: moreDestinations(body, at + known.length, matchDestination),
        at: m.index,
      });
      continue;
    }
    // A destination new to the list: read up to the clause's next landmark.
    const rest = body.slice(at);
    const end = rest.search(
      /,\s*(?:in\s+alphabetical|adding|revising|removing|correcting|the\s+entr|an?\s+entr|entries|one\b|two\b|three\b|\d)|\s+(?:the\s+entr|an?\s+entr|entries|in\s+alphabetical|to\s+read|is\s+|are\s+)|[;:]|\.(?:\s|$)|\uE000|$/i,
    );
    const raw = rest.slice(0, end).trim();
    if (
      raw &&
      raw.length <= 60 &&
      /^[A-Z]/i.test(raw) &&
      !/^(?:this|that|which|the\s+entity\s+list)\b/i.test(raw)
    ) {
      tokens.push({ kind: 'under', country: canonicalDestination(raw), text: raw, also: [], at: m.index });
    }
  }
  for (const m of body.matchAll(COUNT)) {
    const n = m[2] !== undefined ? parseCount(m[2]) : undefined;
    tokens.push({
      kind: 'count',
      // "the entry for", "the following entity": one, when the noun is singular.
      count: (m[3] || m[5]) && /\b(?:entry|entity|person|individual|company|party)\b/i.test(m[0]) ? 1 : n,
      at: m.index,
    });
  }
  for (const m of body.matchAll(/\uE000(\d+)\uE000/g)) {
    const preceding = body.slice(Math.max(0, m.index - 40), m.index);
    // Quoted words and phrases being struck or inserted are not entry names.
    if (
      /\b(?:words?|phrases?|text|sentences?|terms?|references?|heading|footnote|citation|to\s+read|with|replacing)\s*$/i.test(
        preceding,
      )
    )
      continue;
    tokens.push({ kind: 'name', name: names[Number(m[1])]!, at: m.index });
  }
  for (const m of body.matchAll(/;/g)) tokens.push({ kind: 'break', at: m.index });
  return tokens.sort((a, b) => a.at - b.at);
}

/**
 * "under Afghanistan and Pakistan", "under China, Hong Kong, and Singapore": the destinations
 * named after the first, as long as each is one the list knows (a count or a verb ends the run).
 */
function moreDestinations(
  body: string,
  from: number,
  matchDestination: DestinationMatcher,
): Array<{ country: string; text: string }> {
  const out: Array<{ country: string; text: string }> = [];
  let i = from;
  for (;;) {
    const sep = /^(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?/i.exec(body.slice(i));
    if (!sep) break;
    const known = matchDestination(body, i + sep[0].length);
    if (!known) break;
    const at = i + sep[0].length;
    out.push({ country: known.canonical, text: body.slice(at, at + known.length) });
    i = at + known.length;
  }
  return out;
}

interface Building {
  action?: ChangeAction;
  country?: string;
  countryText?: string;
  also?: Array<{ country: string; text: string }>;
  names: string[];
  count?: number;
}

/**
 * Groups tokens. "under X" opens a group for the current action; a verb gives a pending group
 * its action or, if the group already has one, opens a new group for the same destination.
 * Names and counts attach to the open group.
 */
function groupTokens(tokens: Token[], isCorrection: boolean): InstructionGroup[] {
  const groups: Building[] = [];
  let action: ChangeAction | undefined;
  let country:
    { canonical: string; text: string; also?: Array<{ country: string; text: string }> } | undefined;
  let open: Building | undefined;
  let trailingDestination = false;
  let sawCorrected = false;

  const openGroup = (): Building => {
    const g: Building = {
      action,
      country: country?.canonical,
      countryText: country?.text,
      also: country?.also,
      names: [],
    };
    groups.push(g);
    open = g;
    return g;
  };

  for (const t of tokens) {
    switch (t.kind) {
      case 'verb': {
        if (t.action === 'corrected') {
          sawCorrected = true;
          if (open && open.action === undefined) open.action = 'correct';
          break;
        }
        action = t.action;
        if (open && open.action === undefined) open.action = action;
        else if (open && open.action !== action && (open.names.length > 0 || open.count !== undefined))
          open = undefined;
        else if (open && open.action !== action) open.action = action;
        break;
      }
      case 'under': {
        if (open && open.country === undefined && (open.names.length > 0 || open.count !== undefined)) {
          open.country = t.country;
          open.countryText = t.text;
          open.also = t.also;
          if (open.names.length > 0) {
            // "revising the entry for "X" under China": the destination follows the names.
            open = undefined;
            trailingDestination = true;
            country = undefined;
          } else {
            // "removing the entry under Canada for "X"": the names are still to come.
            country = { canonical: t.country, text: t.text, also: t.also };
          }
          break;
        }
        country = { canonical: t.country, text: t.text, also: t.also };
        openGroup();
        break;
      }
      case 'count': {
        const g = open ?? openGroup();
        if (g.count === undefined && t.count !== undefined) g.count = t.count;
        else if (g.count !== undefined && t.count !== undefined && g.names.length > 0) {
          openGroup().count = t.count;
        }
        break;
      }
      case 'name': {
        const g = open ?? (trailingDestination ? openGroup() : openGroup());
        g.names.push(t.name);
        break;
      }
      case 'break':
        // A clause ends at ';': "a. Adding under Ukraine, … the following entity; and b. Revising
        // …" must not hand the Ukraine group the next clause's verb.
        open = undefined;
        break;
    }
  }

  const result: InstructionGroup[] = [];
  for (const g of groups) {
    let act = g.action ?? action ?? (sawCorrected ? 'correct' : undefined);
    if (act === undefined) continue;
    if (isCorrection && act === 'revise') act = 'correct';
    if (g.names.length === 0 && g.count === undefined && g.country === undefined) continue;
    const group: InstructionGroup = { action: act, names: g.names };
    if (g.country !== undefined) group.country = g.country;
    if (g.countryText !== undefined) group.countryText = g.countryText;
    if (g.count !== undefined) group.count = g.count;
    else if (g.names.length > 0) group.count = g.names.length;
    if (g.also && g.also.length > 0 && g.country !== undefined) {
      // One clause, several destinations: the same entries under each, read as one group apiece
      // that knows the others (the table, or a warning, says which name goes where).
      const together = [g.country, ...g.also.map((d) => d.country)];
      result.push({ ...group, names: [...group.names], together });
      for (const d of g.also)
        result.push({ ...group, names: [...group.names], country: d.country, countryText: d.text, together });
      continue;
    }
    result.push(group);
  }
  return mergeAdjacent(result);
}

/** "under X, one entity, "A"" yields count then name in one group; keep groups minimal. */
function mergeAdjacent(groups: InstructionGroup[]): InstructionGroup[] {
  const out: InstructionGroup[] = [];
  for (const g of groups) {
    const last = out[out.length - 1];
    if (
      last &&
      last.action === g.action &&
      last.country === g.country &&
      last.names.length === 0 &&
      g.names.length > 0 &&
      last.count === g.count
    ) {
      last.names = g.names;
      continue;
    }
    out.push(g);
  }
  return out;
}
