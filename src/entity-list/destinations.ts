/**
 * Destinations (countries) as the Entity List names them. Instructions write them loosely
 * ("under China", "under the United Arab Emirates", "under the destination of Russia", "under
 * CHINA, PEOPLE'S REPUBLIC OF"); the table prints the list's own upper-case form. Destinations are
 * a closed set, so a dictionary beats guessing where a country name ends in running text
 * ("under China, People's Republic of, in alphabetical order, …" has commas inside the name).
 */

/** Canonical (the list's printed form) → other ways rules write it. Case-insensitive. */
const DESTINATIONS: Record<string, string[]> = {
  AFGHANISTAN: [],
  ALBANIA: [],
  ALGERIA: [],
  ANDORRA: [],
  ANGOLA: [],
  ARGENTINA: [],
  ARMENIA: [],
  AUSTRALIA: [],
  AUSTRIA: [],
  AZERBAIJAN: [],
  BAHAMAS: ['the Bahamas'],
  BAHRAIN: [],
  BANGLADESH: [],
  BELARUS: [],
  BELGIUM: [],
  BELIZE: [],
  BOLIVIA: [],
  'BOSNIA AND HERZEGOVINA': ['Bosnia-Herzegovina'],
  BRAZIL: [],
  'BRITISH VIRGIN ISLANDS': [],
  BULGARIA: [],
  BURMA: ['Myanmar'],
  CAMBODIA: [],
  CANADA: [],
  CHILE: [],
  "CHINA, PEOPLE'S REPUBLIC OF": [
    'China',
    "People's Republic of China",
    'PRC',
    'P.R.C.',
    "China (People's Republic of)",
  ],
  COLOMBIA: [],
  'CONGO, DEMOCRATIC REPUBLIC OF THE': ['Democratic Republic of the Congo', 'DRC'],
  'COSTA RICA': [],
  CROATIA: [],
  CUBA: [],
  CYPRUS: [],
  'CZECH REPUBLIC': ['Czechia'],
  DENMARK: [],
  'DOMINICAN REPUBLIC': [],
  ECUADOR: [],
  EGYPT: [],
  'EL SALVADOR': [],
  ERITREA: [],
  ESTONIA: [],
  ETHIOPIA: [],
  FINLAND: [],
  FRANCE: [],
  GEORGIA: [],
  GERMANY: [],
  GHANA: [],
  GREECE: [],
  GUATEMALA: [],
  HONDURAS: [],
  'HONG KONG': ['Hong Kong SAR', 'Hong Kong Special Administrative Region'],
  HUNGARY: [],
  ICELAND: [],
  INDIA: [],
  INDONESIA: [],
  IRAN: ['Islamic Republic of Iran', 'Iran, Islamic Republic of'],
  IRAQ: [],
  IRELAND: [],
  ISRAEL: [],
  ITALY: [],
  JAPAN: [],
  JORDAN: [],
  KAZAKHSTAN: [],
  KENYA: [],
  'KOREA, NORTH': [
    'North Korea',
    "Democratic People's Republic of Korea",
    'DPRK',
    "Korea, Democratic People's Republic of",
  ],
  'SOUTH KOREA': ['Korea, South', 'Republic of Korea', 'Korea, Republic of', 'ROK'],
  KUWAIT: [],
  KYRGYZSTAN: [],
  LAOS: [],
  LATVIA: [],
  LEBANON: [],
  LIBYA: [],
  LIECHTENSTEIN: [],
  LITHUANIA: [],
  LUXEMBOURG: [],
  MACAU: ['Macao'],
  MALAYSIA: [],
  MALTA: [],
  'MARSHALL ISLANDS': [],
  MEXICO: [],
  MOLDOVA: [],
  MONGOLIA: [],
  MONTENEGRO: [],
  MOROCCO: [],
  NETHERLANDS: ['the Netherlands', 'Holland'],
  'NEW ZEALAND': [],
  NICARAGUA: [],
  NIGERIA: [],
  'NORTH MACEDONIA': ['Macedonia'],
  NORWAY: [],
  OMAN: [],
  PAKISTAN: [],
  PANAMA: [],
  PERU: [],
  PHILIPPINES: ['the Philippines'],
  POLAND: [],
  PORTUGAL: [],
  QATAR: [],
  ROMANIA: [],
  RUSSIA: ['Russian Federation', 'the Russian Federation'],
  'SAUDI ARABIA': [],
  SENEGAL: [],
  SERBIA: [],
  SEYCHELLES: [],
  SINGAPORE: [],
  SLOVAKIA: [],
  SLOVENIA: [],
  'SOUTH AFRICA': [],
  'SOUTH SUDAN': [],
  SPAIN: [],
  'SRI LANKA': [],
  SUDAN: [],
  SWEDEN: [],
  SWITZERLAND: [],
  SYRIA: ['Syrian Arab Republic'],
  TAIWAN: [],
  TAJIKISTAN: [],
  TANZANIA: [],
  THAILAND: [],
  TUNISIA: [],
  TURKEY: ['Türkiye', 'Turkiye', 'Republic of Türkiye'],
  TURKMENISTAN: [],
  UGANDA: [],
  UKRAINE: [],
  'UNITED ARAB EMIRATES': ['U.A.E.', 'UAE', 'the U.A.E.'],
  'UNITED KINGDOM': [
    'U.K.',
    'UK',
    'Great Britain',
    'Britain',
    'United Kingdom of Great Britain and Northern Ireland',
  ],
  'UNITED STATES': ['U.S.', 'United States of America'],
  URUGUAY: [],
  UZBEKISTAN: [],
  VENEZUELA: [],
  VIETNAM: ['Viet Nam'],
  YEMEN: [],
  ZIMBABWE: [],
};

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02BC`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

/** Folded spelling → canonical. */
const BY_SPELLING = new Map<string, string>();
for (const [canonical, variants] of Object.entries(DESTINATIONS)) {
  for (const spelling of [canonical, ...variants]) {
    BY_SPELLING.set(fold(spelling), canonical);
    BY_SPELLING.set(fold(spelling).replace(/^THE /, ''), canonical);
  }
}
/** Longest spellings first, so "CHINA, PEOPLE'S REPUBLIC OF" wins over "CHINA". */
const SPELLINGS = [...BY_SPELLING.keys()].sort((a, b) => b.length - a.length);

/**
 * The list's form of a destination: known spellings map to one canonical name; anything else is
 * cleaned and upper-cased as printed (a destination new to the list is still a destination).
 */
export function canonicalDestination(raw: string): string {
  const folded = fold(raw)
    .replace(/^THE\s+(DESTINATION\s+OF\s+)?/, '')
    .replace(/^DESTINATION\s+OF\s+(THE\s+)?/, '')
    .replace(/[\s.,;:]+$/, (m) => (/\.$/.test(m) && /\b[A-Z]\.[A-Z]\.$/.test(fold(raw)) ? '.' : ''));
  return BY_SPELLING.get(folded) ?? BY_SPELLING.get(folded.replace(/^THE /, '')) ?? folded;
}

export interface DestinationMatch {
  canonical: string;
  /** Characters consumed from `text` at the match position. */
  length: number;
}

export type DestinationMatcher = (text: string, index: number) => DestinationMatch | undefined;

/**
 * A matcher for the longest known destination spelled at a position in running text
 * (case-insensitive, ending at a word boundary). `extra` adds spellings seen in the same document
 * (the table's country cells), so a destination new to the dictionary is still recognised.
 */
export function createDestinationMatcher(extra: Iterable<string> = []): DestinationMatcher {
  const spellings = new Map<string, string>();
  for (const s of extra) {
    const f = fold(s);
    if (f) spellings.set(f, BY_SPELLING.get(f) ?? f);
  }
  const all = [...new Set([...spellings.keys(), ...SPELLINGS])].sort((a, b) => b.length - a.length);
  return (text, index) => {
    const window = fold(text.slice(index, index + 96));
    for (const spelling of all) {
      if (!window.startsWith(spelling)) continue;
      const next = window.charAt(spelling.length);
      if (next && /[\p{L}\p{N}]/u.test(next)) continue;
      const canonical = BY_SPELLING.get(spelling) ?? spellings.get(spelling) ?? spelling;
      return { canonical, length: rawLength(text, index, spelling.length) };
    }
    return undefined;
  };
}

/** One-off form of `createDestinationMatcher`. */
export function matchDestinationAt(
  text: string,
  index: number,
  extra: Iterable<string> = [],
): DestinationMatch | undefined {
  return createDestinationMatcher(extra)(text, index);
}

function rawLength(text: string, index: number, foldedLength: number): number {
  for (let n = foldedLength; n <= Math.min(text.length - index, foldedLength + 8); n++) {
    if (fold(text.slice(index, index + n)).length >= foldedLength) return n;
  }
  return foldedLength;
}

/** Two spellings name the same destination. */
export function sameDestination(a: string, b: string): boolean {
  return canonicalDestination(a) === canonicalDestination(b);
}
