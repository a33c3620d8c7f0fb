// Wording helpers: numbers, dates, destination spellings, quoting. Pure.

const ONES = [
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

export function numberWord(n) {
  if (n < 20) return ONES[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? `-${ONES[n % 10]}` : '');
  return String(n);
}

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Dates are 'YYYY-MM-DD' strings; arithmetic in UTC. */
export function parseDate(s) {
  return new Date(`${s}T00:00:00Z`);
}
export function fmtIso(d) {
  return d.toISOString().slice(0, 10);
}
export function addDays(s, n) {
  const d = parseDate(s);
  d.setUTCDate(d.getUTCDate() + n);
  return fmtIso(d);
}
export function longDate(s) {
  const d = parseDate(s);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}
export function weekdayLongDate(s) {
  return `${WEEKDAYS[parseDate(s).getUTCDay()]}, ${longDate(s)}`;
}
/** 9/16/16 */
export function shortDate(s) {
  const d = parseDate(s);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${String(d.getUTCFullYear()).slice(2)}`;
}
export function weekday(s) {
  return parseDate(s).getUTCDay();
}

/**
 * How instructions may spell a destination. The table always prints the canonical upper-case name
 * (the key of this map); instructions in older rules use title case, newer ones upper case, and
 * some use another official spelling.
 */
const DEST_VARIANTS = {
  "CHINA, PEOPLE'S REPUBLIC OF": {
    title: ['China', "China, People's Republic of", "the People's Republic of China"],
    upper: ["CHINA, PEOPLE'S REPUBLIC OF", 'CHINA'],
  },
  RUSSIA: { title: ['Russia', 'the Russian Federation'], upper: ['RUSSIA', 'RUSSIAN FEDERATION'] },
  TURKEY: { title: ['Turkey', 'Türkiye'], upper: ['TURKEY', 'TÜRKIYE'] },
  'SOUTH KOREA': {
    title: ['South Korea', 'Korea, South', 'the Republic of Korea'],
    upper: ['SOUTH KOREA', 'KOREA, SOUTH'],
  },
  'UNITED ARAB EMIRATES': {
    title: ['the United Arab Emirates', 'United Arab Emirates', 'the UAE'],
    upper: ['UNITED ARAB EMIRATES'],
  },
  'UNITED KINGDOM': { title: ['the United Kingdom', 'United Kingdom'], upper: ['UNITED KINGDOM'] },
  NETHERLANDS: { title: ['the Netherlands', 'Netherlands'], upper: ['NETHERLANDS', 'THE NETHERLANDS'] },
  IRAN: { title: ['Iran'], upper: ['IRAN'] },
  SYRIA: { title: ['Syria'], upper: ['SYRIA'] },
  PHILIPPINES: { title: ['the Philippines', 'Philippines'], upper: ['PHILIPPINES'] },
  'HONG KONG': { title: ['Hong Kong'], upper: ['HONG KONG'] },
};

function titleCase(upper) {
  return upper
    .toLowerCase()
    .replace(/(^|[\s(-])([a-z])/g, (_, p, c) => p + c.toUpperCase())
    .replace(/\bOf\b/g, 'of');
}

/** The canonical spelling in title case (what SUM/SUPLINF prose uses). */
export function destTitle(canon) {
  return DEST_VARIANTS[canon]?.title[0] ?? titleCase(canon);
}

/**
 * A destination as an instruction spells it. `casing` 'title' | 'upper'; `variant` true picks
 * among the other spellings.
 */
export function destPhrase(canon, casing, variant, rng) {
  const v = DEST_VARIANTS[canon];
  const list = v ? v[casing] : [casing === 'upper' ? canon : titleCase(canon)];
  if (!variant || list.length === 1) return list[0];
  return rng.pick(list.slice(1));
}

/** Whether `destPhrase` can produce a spelling other than the canonical one. */
export function hasVariant(canon) {
  const v = DEST_VARIANTS[canon];
  return Boolean(v && (v.title.length > 1 || v.upper.length > 1));
}

/** Joins with commas and a final "and" (serial comma). */
export function andList(items) {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

/**
 * Quotes names. style: { curly: bool, inside: bool } — `inside` puts the list commas inside the
 * closing quote (“A,” “B,” and “C”), as GPO typesets American punctuation.
 */
export function quoteList(names, style) {
  const [o, c] = style.curly ? ['\u201c', '\u201d'] : ['"', '"'];
  if (names.length === 1) return `${o}${names[0]}${c}`;
  if (names.length === 2) return `${o}${names[0]}${c} and ${o}${names[1]}${c}`;
  if (style.inside) {
    return `${names
      .slice(0, -1)
      .map((n) => `${o}${n},${c}`)
      .join(' ')} and ${o}${names[names.length - 1]}${c}`;
  }
  return `${names
    .slice(0, -1)
    .map((n) => `${o}${n}${c}`)
    .join(', ')}, and ${o}${names[names.length - 1]}${c}`;
}

/** "two entities" / "2 entities" / "the following two entities" / "one entity". */
export function countPhrase(n, style, noun = 'entity') {
  const plural = noun === 'entity' ? 'entities' : noun === 'entry' ? 'entries' : `${noun}s`;
  const word = n === 1 ? noun : plural;
  const num = style.endsWith('digit') && n !== 1 ? String(n) : numberWord(n);
  if (style === 'following' && n === 1) return `the following ${word}`;
  return style.startsWith('following') ? `the following ${num} ${word}` : `${num} ${word}`;
}

export function letter(i) {
  return i < 26
    ? String.fromCharCode(97 + i)
    : `${String.fromCharCode(97 + Math.floor(i / 26) - 1)}${String.fromCharCode(97 + (i % 26))}`;
}

const ROMAN = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x'];
export function roman(i) {
  return ROMAN[i] ?? String(i + 1);
}

export function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function capFirst(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
