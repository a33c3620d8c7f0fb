/**
 * Destinations as the Entity List names them (upper case, `CHINA, PEOPLE'S REPUBLIC OF`), from
 * the ISO 3166 codes and country names that other sources (the CSL, addresses) use. The EL's
 * spelling wins over ISO's where they differ (TURKEY, BURMA, HONG KONG, SOUTH KOREA).
 */

interface Country {
  /** The Entity List destination heading. */
  destination: string;
  /** How an EL address ends for this country ("Moscow, Russia", "Dubai, U.A.E."). */
  address: string;
}

const C = (destination: string, address: string): Country => ({ destination, address });

/** ISO 3166-1 alpha-2 → destination. Covers every destination the Entity List has used, and more. */
const BY_CODE: Record<string, Country> = {
  AF: C('AFGHANISTAN', 'Afghanistan'),
  AL: C('ALBANIA', 'Albania'),
  DZ: C('ALGERIA', 'Algeria'),
  AM: C('ARMENIA', 'Armenia'),
  AR: C('ARGENTINA', 'Argentina'),
  AU: C('AUSTRALIA', 'Australia'),
  AT: C('AUSTRIA', 'Austria'),
  AZ: C('AZERBAIJAN', 'Azerbaijan'),
  BH: C('BAHRAIN', 'Bahrain'),
  BD: C('BANGLADESH', 'Bangladesh'),
  BY: C('BELARUS', 'Belarus'),
  BE: C('BELGIUM', 'Belgium'),
  BZ: C('BELIZE', 'Belize'),
  BA: C('BOSNIA AND HERZEGOVINA', 'Bosnia and Herzegovina'),
  BR: C('BRAZIL', 'Brazil'),
  BG: C('BULGARIA', 'Bulgaria'),
  MM: C('BURMA', 'Burma'),
  KH: C('CAMBODIA', 'Cambodia'),
  CA: C('CANADA', 'Canada'),
  CL: C('CHILE', 'Chile'),
  CN: C("CHINA, PEOPLE'S REPUBLIC OF", 'China'),
  CO: C('COLOMBIA', 'Colombia'),
  HR: C('CROATIA', 'Croatia'),
  CU: C('CUBA', 'Cuba'),
  CY: C('CYPRUS', 'Cyprus'),
  CZ: C('CZECH REPUBLIC', 'Czech Republic'),
  DK: C('DENMARK', 'Denmark'),
  EG: C('EGYPT', 'Egypt'),
  EE: C('ESTONIA', 'Estonia'),
  ET: C('ETHIOPIA', 'Ethiopia'),
  FI: C('FINLAND', 'Finland'),
  FR: C('FRANCE', 'France'),
  GE: C('GEORGIA', 'Georgia'),
  DE: C('GERMANY', 'Germany'),
  GR: C('GREECE', 'Greece'),
  HK: C('HONG KONG', 'Hong Kong'),
  HU: C('HUNGARY', 'Hungary'),
  IN: C('INDIA', 'India'),
  ID: C('INDONESIA', 'Indonesia'),
  IR: C('IRAN', 'Iran'),
  IQ: C('IRAQ', 'Iraq'),
  IE: C('IRELAND', 'Ireland'),
  IL: C('ISRAEL', 'Israel'),
  IT: C('ITALY', 'Italy'),
  JP: C('JAPAN', 'Japan'),
  JO: C('JORDAN', 'Jordan'),
  KZ: C('KAZAKHSTAN', 'Kazakhstan'),
  KE: C('KENYA', 'Kenya'),
  KP: C('NORTH KOREA', 'North Korea'),
  KR: C('SOUTH KOREA', 'South Korea'),
  KW: C('KUWAIT', 'Kuwait'),
  KG: C('KYRGYZSTAN', 'Kyrgyzstan'),
  LA: C('LAOS', 'Laos'),
  LV: C('LATVIA', 'Latvia'),
  LB: C('LEBANON', 'Lebanon'),
  LY: C('LIBYA', 'Libya'),
  LT: C('LITHUANIA', 'Lithuania'),
  LU: C('LUXEMBOURG', 'Luxembourg'),
  MO: C('MACAU', 'Macau'),
  MY: C('MALAYSIA', 'Malaysia'),
  MT: C('MALTA', 'Malta'),
  MH: C('MARSHALL ISLANDS', 'Marshall Islands'),
  MX: C('MEXICO', 'Mexico'),
  MD: C('MOLDOVA', 'Moldova'),
  MN: C('MONGOLIA', 'Mongolia'),
  ME: C('MONTENEGRO', 'Montenegro'),
  MA: C('MOROCCO', 'Morocco'),
  NL: C('NETHERLANDS', 'Netherlands'),
  NZ: C('NEW ZEALAND', 'New Zealand'),
  NI: C('NICARAGUA', 'Nicaragua'),
  NG: C('NIGERIA', 'Nigeria'),
  MK: C('NORTH MACEDONIA', 'North Macedonia'),
  NO: C('NORWAY', 'Norway'),
  OM: C('OMAN', 'Oman'),
  PK: C('PAKISTAN', 'Pakistan'),
  PA: C('PANAMA', 'Panama'),
  PH: C('PHILIPPINES', 'Philippines'),
  PL: C('POLAND', 'Poland'),
  PT: C('PORTUGAL', 'Portugal'),
  QA: C('QATAR', 'Qatar'),
  RO: C('ROMANIA', 'Romania'),
  RU: C('RUSSIA', 'Russia'),
  SA: C('SAUDI ARABIA', 'Saudi Arabia'),
  SN: C('SENEGAL', 'Senegal'),
  RS: C('SERBIA', 'Serbia'),
  SC: C('SEYCHELLES', 'Seychelles'),
  SG: C('SINGAPORE', 'Singapore'),
  SK: C('SLOVAKIA', 'Slovakia'),
  SI: C('SLOVENIA', 'Slovenia'),
  ZA: C('SOUTH AFRICA', 'South Africa'),
  SS: C('SOUTH SUDAN', 'South Sudan'),
  ES: C('SPAIN', 'Spain'),
  LK: C('SRI LANKA', 'Sri Lanka'),
  SD: C('SUDAN', 'Sudan'),
  SE: C('SWEDEN', 'Sweden'),
  CH: C('SWITZERLAND', 'Switzerland'),
  SY: C('SYRIA', 'Syria'),
  TW: C('TAIWAN', 'Taiwan'),
  TJ: C('TAJIKISTAN', 'Tajikistan'),
  TH: C('THAILAND', 'Thailand'),
  TR: C('TURKEY', 'Turkey'),
  TM: C('TURKMENISTAN', 'Turkmenistan'),
  UG: C('UGANDA', 'Uganda'),
  UA: C('UKRAINE', 'Ukraine'),
  AE: C('UNITED ARAB EMIRATES', 'U.A.E.'),
  GB: C('UNITED KINGDOM', 'United Kingdom'),
  US: C('UNITED STATES', 'United States'),
  UZ: C('UZBEKISTAN', 'Uzbekistan'),
  VE: C('VENEZUELA', 'Venezuela'),
  VN: C('VIETNAM', 'Vietnam'),
  VG: C('BRITISH VIRGIN ISLANDS', 'British Virgin Islands'),
  YE: C('YEMEN', 'Yemen'),
};

/** Other spellings of country names met in addresses and feeds → ISO code. */
const NAME_ALIASES: Record<string, string> = {
  china: 'CN',
  prc: 'CN',
  "people's republic of china": 'CN',
  'p.r. china': 'CN',
  'p.r.c.': 'CN',
  'hong kong sar': 'HK',
  'hong kong, china': 'HK',
  uae: 'AE',
  'u.a.e.': 'AE',
  'u.a.e': 'AE',
  'united arab emirates': 'AE',
  'the united arab emirates': 'AE',
  'russian federation': 'RU',
  crimea: 'UA',
  'crimea (occupied)': 'UA',
  'crimea region of ukraine': 'UA',
  türkiye: 'TR',
  turkiye: 'TR',
  'republic of korea': 'KR',
  'korea, south': 'KR',
  'korea, republic of': 'KR',
  "korea, democratic people's republic of": 'KP',
  'korea, north': 'KP',
  myanmar: 'MM',
  'the netherlands': 'NL',
  holland: 'NL',
  czechia: 'CZ',
  uk: 'GB',
  'u.k.': 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  'islamic republic of iran': 'IR',
  'iran, islamic republic of': 'IR',
  'syrian arab republic': 'SY',
  'republic of china': 'TW',
  macao: 'MO',
  'viet nam': 'VN',
  'united states of america': 'US',
  usa: 'US',
  'u.s.a.': 'US',
};

const BY_NAME = new Map<string, string>();
for (const [code, c] of Object.entries(BY_CODE)) {
  BY_NAME.set(c.address.toLowerCase(), code);
  BY_NAME.set(c.destination.toLowerCase(), code);
}
for (const [name, code] of Object.entries(NAME_ALIASES)) BY_NAME.set(name, code);

/** Destination for an ISO code (`CN` → `CHINA, PEOPLE'S REPUBLIC OF`); undefined when unknown. */
export function destinationForCode(code: string): string | undefined {
  const known = BY_CODE[code.toUpperCase()];
  if (known) return known.destination;
  return undefined;
}

/** How EL addresses print the country of an ISO code (`AE` → `U.A.E.`). */
export function addressCountryForCode(code: string): string | undefined {
  return BY_CODE[code.toUpperCase()]?.address;
}

/** ISO code for a country name as met in addresses (`China`, `U.A.E.`, `crimea (occupied)`). */
export function codeForName(name: string): string | undefined {
  const key = name
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  return BY_NAME.get(key) ?? BY_NAME.get(key.replace(/\.$/, ''));
}

export function isKnownCode(code: string): boolean {
  return Object.hasOwn(BY_CODE, code.toUpperCase());
}

/** Destination heading for a name or a code; undefined when neither is known. */
export function destinationFor(nameOrCode: string): string | undefined {
  const t = nameOrCode.trim();
  if (/^[A-Z]{2}$/.test(t)) return destinationForCode(t);
  const code = codeForName(t);
  return code ? destinationForCode(code) : undefined;
}

export interface ResolvedAddressCountry {
  code: string;
  destination: string;
  /** The address with a trailing ISO code spelled as the EL spells it, if there was one. */
  address: string;
}

/**
 * The country of a free-text address: its last comma-separated part as an ISO code (the CSL's
 * `…, Moscow, 127994, RU`) or a country name (`…, Beijing, China`), else the last part that names
 * a country (`…, China 610036`). Undefined when nothing names one (`…, Shanghai 200233`).
 */
export function resolveAddressCountry(address: string): ResolvedAddressCountry | undefined {
  const parts = address.split(',').map((p) => p.trim());
  const last = parts[parts.length - 1] ?? '';
  if (/^[A-Z]{2}$/.test(last) && isKnownCode(last)) {
    const head = parts.slice(0, -1).join(', ');
    const spelled = addressCountryForCode(last)!;
    return {
      code: last,
      destination: destinationForCode(last)!,
      address: head ? `${head}, ${spelled}` : spelled,
    };
  }
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    const candidates = [part, part.replace(/[\s\d-]+$/, '').trim(), part.replace(/^[\s\d-]+/, '').trim()];
    for (const c of candidates) {
      if (!c) continue;
      const code = codeForName(c);
      if (code) return { code, destination: destinationForCode(code)!, address };
    }
    // Only look further back past parts that cannot be a country (postal codes, districts).
    if (i < parts.length - 2) break;
  }
  return undefined;
}
