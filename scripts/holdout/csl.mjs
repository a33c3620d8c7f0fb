// Reads the Entity List rows of the trade.gov Consolidated Screening List into holdout entries.
// Independent of src/: its own parsing and cleaning, following the conventions of the dev corpus
// README (codes spelled out, one listing per destination, rows with the same name merged).

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export const EL_SOURCE = 'Entity List (EL) - Bureau of Industry and Security';

/** ISO code → [destination as the table prints it, country as an address spells it]. */
export const CODES = {
  AF: ['AFGHANISTAN', 'Afghanistan'],
  AE: ['UNITED ARAB EMIRATES', 'U.A.E.'],
  AM: ['ARMENIA', 'Armenia'],
  AT: ['AUSTRIA', 'Austria'],
  BY: ['BELARUS', 'Belarus'],
  BZ: ['BELIZE', 'Belize'],
  CA: ['CANADA', 'Canada'],
  CH: ['SWITZERLAND', 'Switzerland'],
  CN: ["CHINA, PEOPLE'S REPUBLIC OF", 'China'],
  CY: ['CYPRUS', 'Cyprus'],
  DE: ['GERMANY', 'Germany'],
  EE: ['ESTONIA', 'Estonia'],
  EG: ['EGYPT', 'Egypt'],
  FI: ['FINLAND', 'Finland'],
  FR: ['FRANCE', 'France'],
  GB: ['UNITED KINGDOM', 'United Kingdom'],
  GR: ['GREECE', 'Greece'],
  HK: ['HONG KONG', 'Hong Kong'],
  IE: ['IRELAND', 'Ireland'],
  IL: ['ISRAEL', 'Israel'],
  IN: ['INDIA', 'India'],
  IQ: ['IRAQ', 'Iraq'],
  IR: ['IRAN', 'Iran'],
  KR: ['SOUTH KOREA', 'South Korea'],
  KZ: ['KAZAKHSTAN', 'Kazakhstan'],
  LB: ['LEBANON', 'Lebanon'],
  LU: ['LUXEMBOURG', 'Luxembourg'],
  MY: ['MALAYSIA', 'Malaysia'],
  NL: ['NETHERLANDS', 'the Netherlands'],
  NO: ['NORWAY', 'Norway'],
  PA: ['PANAMA', 'Panama'],
  PH: ['PHILIPPINES', 'Philippines'],
  PK: ['PAKISTAN', 'Pakistan'],
  RO: ['ROMANIA', 'Romania'],
  RU: ['RUSSIA', 'Russia'],
  SE: ['SWEDEN', 'Sweden'],
  SG: ['SINGAPORE', 'Singapore'],
  SY: ['SYRIA', 'Syria'],
  TH: ['THAILAND', 'Thailand'],
  TR: ['TURKEY', 'Turkey'],
  TW: ['TAIWAN', 'Taiwan'],
  UA: ['UKRAINE', 'Ukraine'],
  UG: ['UGANDA', 'Uganda'],
  ZA: ['SOUTH AFRICA', 'South Africa'],
};

/** Country names that end some CSL addresses without a code. */
const TRAILING_NAMES = [
  [/,\s*crimea \(occupied\)$/i, 'UKRAINE'],
  [/\bCrimea$/i, 'UKRAINE'],
  [/\bHong Kong$/i, 'HONG KONG'],
  [/\bChina(?: \d{6})?$/i, "CHINA, PEOPLE'S REPUBLIC OF"],
  [/\bIran$/i, 'IRAN'],
  [/\bPakistan$/i, 'PAKISTAN'],
  [/\bArmenia$/i, 'ARMENIA'],
  [/\bTurkey$/i, 'TURKEY'],
  [/\bRussia$/i, 'RUSSIA'],
  [/\bUAE$/, 'UNITED ARAB EMIRATES'],
];

export function collapse(s) {
  return String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function normKey(s) {
  return collapse(s)
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\s.;,:]+$/, '')
    .toLowerCase();
}

/** The two repairs the dev README names; anything else with a lost character is dropped. */
function repair(s) {
  return s.replace(/Xi\?an/g, "Xi'an").replace(/(\w)\?s\b/g, "$1's");
}

function cleanLicense(s) {
  let t = collapse(s)
    .replace(/§§\s*(?=\d)/g, '§§ ')
    .replace(/§(?!§)\s*(?=\d)/g, '§ ');
  let footnote = false;
  // A stray footnote digit after ")" (the CSL prints the EL's footnote mark as a digit).
  if (/\)\d$/.test(t)) {
    t = t.slice(0, -1);
    footnote = true;
  }
  return { text: t, footnote };
}

function resolveAddress(raw) {
  let a = collapse(raw)
    .replace(/^and\s+/i, '')
    .replace(/[\s,]+$/, '');
  if (!a) return null;
  let m = /^([A-Z]{2})$/.exec(a);
  if (m && CODES[m[1]]) return { dest: CODES[m[1]][0], address: CODES[m[1]][1] };
  m = /,\s*([A-Z]{2})$/.exec(a);
  if (m && CODES[m[1]]) {
    return { dest: CODES[m[1]][0], address: `${a.slice(0, m.index)}, ${CODES[m[1]][1]}` };
  }
  for (const [re, dest] of TRAILING_NAMES) if (re.test(a)) return { dest, address: a };
  return { dest: null, address: a };
}

function splitCitations(field) {
  const out = [];
  const text = collapse(field);
  const re =
    /(\d{2})\s*FR\s*(?:no\.\s*\d+\s*pg\.\s*)?(\d{3,6})(?:\s*,\s*(\d{1,2}\/\d{1,2}\/\d{2,4}))?(?:\s*\((\d{1,2}\/\d{1,2}\/\d{2,4})\))?/gi;
  let m;
  while ((m = re.exec(text))) {
    out.push({ volume: Number(m[1]), page: Number(m[2]), date: m[3] ?? m[4] ?? null });
  }
  return out;
}

/**
 * Loads the CSL's Entity List rows. Returns groups: one per entity name, each with one listing per
 * destination: { name, listings: [{ country, name, aliases, addresses, licenseRequirement,
 * licenseReviewPolicy, cslCitations, startDate, licenseFootnote }] }.
 */
export function loadCsl(path) {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const records = parse(text, {
    relax_column_count: true,
    skip_empty_lines: true,
    // The snapshot ends inside a quoted field: keep every whole record.
    skip_records_with_error: true,
  });
  const header = records[0];
  const col = (n) => header.indexOf(n);
  const idx = {
    source: col('source'),
    name: col('name'),
    alt: col('alt_names'),
    addresses: col('addresses'),
    frn: col('federal_register_notice'),
    lr: col('license_requirement'),
    lp: col('license_policy'),
    start: col('start_date'),
  };
  const dropped = [];
  const byKey = new Map();
  for (const rec of records.slice(1)) {
    if (collapse(rec[idx.source]) !== EL_SOURCE) continue;
    const name = repair(collapse(rec[idx.name])).replace(/[\s,]+$/, '');
    const aliasesRaw = repair(rec[idx.alt] ?? '');
    const addrRaw = repair(rec[idx.addresses] ?? '');
    const lr = cleanLicense(rec[idx.lr] ?? '');
    const lp = collapse(rec[idx.lp] ?? '').replace(/§\s*(?=\d)/g, '§ ');
    const why = [];
    if (!name) why.push('no name');
    if (/\?/.test(name + aliasesRaw + addrRaw)) why.push('lost characters');
    // A name that itself holds an a.k.a./f.k.a. clause cannot be printed unambiguously.
    if (/\b[af]\.k\.a\./i.test(name)) why.push('name holds a.k.a.');
    if (!lr.text || !lp) why.push('empty license field');
    if (why.length) {
      dropped.push({ name, why });
      continue;
    }
    const aliases = [];
    for (const a of aliasesRaw.split(';')) {
      const t = collapse(a)
        .replace(/^and\s+/i, '')
        .replace(/[\s,;]+$/, '');
      if (!t || normKey(t) === normKey(name) || aliases.some((x) => normKey(x) === normKey(t))) continue;
      aliases.push(t);
    }
    const groups = new Map();
    const pending = [];
    for (const raw of addrRaw.split(';')) {
      const r = resolveAddress(raw);
      if (!r) continue;
      if (!r.dest) {
        pending.push(r.address);
        continue;
      }
      const list = groups.get(r.dest) ?? [];
      if (!list.some((x) => normKey(x) === normKey(r.address))) list.push(r.address);
      groups.set(r.dest, list);
    }
    if (groups.size === 0) {
      dropped.push({ name, why: ['no address names a destination'] });
      continue;
    }
    const first = groups.keys().next().value;
    for (const p of pending) {
      const list = groups.get(first);
      if (!list.some((x) => normKey(x) === normKey(p))) list.push(p);
    }
    const citations = splitCitations(rec[idx.frn] ?? '');
    for (const [country, addresses] of groups) {
      const key = `${country}\u0000${normKey(name)}`;
      const existing = byKey.get(key);
      if (existing) {
        for (const a of addresses)
          if (!existing.addresses.some((x) => normKey(x) === normKey(a))) existing.addresses.push(a);
        for (const a of aliases)
          if (!existing.aliases.some((x) => normKey(x) === normKey(a))) existing.aliases.push(a);
        for (const c of citations)
          if (!existing.cslCitations.some((x) => x.volume === c.volume && x.page === c.page))
            existing.cslCitations.push(c);
        continue;
      }
      byKey.set(key, {
        country,
        name,
        aliases: [...aliases],
        addresses: [...addresses],
        licenseRequirement: lr.text,
        licenseFootnote: lr.footnote,
        licenseReviewPolicy: lp,
        cslCitations: [...citations],
        startDate: collapse(rec[idx.start] ?? ''),
      });
    }
  }
  const groups = new Map();
  for (const listing of byKey.values()) {
    const k = normKey(listing.name);
    const g = groups.get(k) ?? { name: listing.name, key: k, listings: [] };
    g.listings.push(listing);
    groups.set(k, g);
  }
  return { groups: [...groups.values()], dropped };
}
