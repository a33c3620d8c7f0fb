#!/usr/bin/env node
// Holdout corpus generator: writes a seeded corpus of constructed Entity List rules laid out like
// test/fixtures/corpus/dev (docs/, api/, expected/, baseline.json, final.json), from CSL rows that
// the dev corpus does not use. The ground truth is written from the generator's own records.
//
//   node scripts/holdout/generate.mjs --seed 7 [--out /tmp/holdout-7] [--suplinf-names mixed|on|off]
//        [--docs N] [--dev test/fixtures/corpus/dev] [--csl test/fixtures/real/csl/...csv]
//
// See scripts/holdout/README.md.

import { renderRealLayout } from './real-layout.mjs';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsl, normKey } from './csl.mjs';
import { makeContext, NEW_STYLES, OLD_STYLES, renderInstructions, STYLE_NAMES } from './instructions.mjs';
import { gpoIndent, placePageMarks, renderTable, setMidCellSlots, SLOT, slotMidText } from './render.mjs';
import { Rng, fnv1a } from './rng.mjs';
import {
  addDays,
  andList,
  capFirst,
  destTitle,
  esc,
  longDate,
  numberWord,
  parseDate,
  shortDate,
  weekday,
  weekdayLongDate,
} from './words.mjs';

let INDENT_SHARE = 0.3;
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function parseArgs(argv) {
  const o = {
    seed: null,
    out: null,
    suplinfNames: 'mixed',
    docs: null,
    indentShare: 0.3,
    dev: join(REPO, 'test/fixtures/corpus/dev'),
    csl: join(REPO, 'test/fixtures/real/csl/watchman-csl-2023-11-30.csv'),
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--seed') o.seed = v();
    else if (a === '--out') o.out = v();
    else if (a === '--suplinf-names') o.suplinfNames = v();
    else if (a === '--docs') o.docs = Number(v());
    else if (a === '--layout') {
      const layout = v();
      if (layout === 'real-pretty' || layout === 'real-compact') o.real = layout;
      else o.indentShare = { compact: 0, indent: 1, mixed: 0.3 }[layout] ?? 0.3;
    } else if (a === '--dev') o.dev = v();
    else if (a === '--csl') o.csl = v();
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.seed === null) throw new Error('--seed is required');
  if (!['mixed', 'on', 'off'].includes(o.suplinfNames)) throw new Error('--suplinf-names: mixed, on or off');
  o.out ??= `/tmp/holdout-${o.seed}${o.suplinfNames === 'off' ? '-nonames' : ''}${o.real ? `-${o.real}` : ''}`;
  return o;
}

// ---------- dev names (excluded) ----------

function devNames(devDir) {
  const names = new Set();
  const add = (e) => e?.name && names.add(normKey(e.name));
  for (const f of ['baseline.json', 'final.json']) {
    const p = join(devDir, f);
    if (existsSync(p)) for (const e of JSON.parse(readFileSync(p, 'utf8')).entries) add(e);
  }
  const ex = join(devDir, 'expected');
  if (existsSync(ex))
    for (const f of readdirSync(ex))
      for (const c of JSON.parse(readFileSync(join(ex, f), 'utf8')).changes ?? []) add(c.entry);
  return names;
}

// ---------- citations ----------

function citationDate(c, startDate) {
  if (c.date) {
    const [m, d, y] = c.date.split('/').map(Number);
    const yy = y < 100 ? 2000 + y : y;
    if (yy === c.volume + 1935) return `${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
  const year = c.volume + 1935;
  if (startDate && startDate.startsWith(String(year))) return startDate;
  const day = Math.min(360, Math.floor((c.page / 82000) * 365));
  return addDays(`${year}-01-02`, day);
}

function fmtCitation(volume, page, date) {
  return `${volume} FR ${page}, ${shortDate(date)}`;
}

// ---------- entries ----------

function stripHidden(e) {
  return {
    name: e.name,
    aliases: [...e.aliases],
    addresses: [...e.addresses],
    licenseRequirement: e.licenseRequirement,
    licenseReviewPolicy: e.licenseReviewPolicy,
    federalRegisterCitations: [...e.federalRegisterCitations],
  };
}

function clone(e) {
  return {
    ...e,
    aliases: [...e.aliases],
    addresses: [...e.addresses],
    federalRegisterCitations: [...e.federalRegisterCitations],
  };
}

const key = (country, name) => `${country}\u0000${normKey(name)}`;

const POLICIES = [
  'Presumption of denial.',
  'Case-by-case review for items necessary to detect, identify and treat infectious disease; presumption of denial for all other items subject to the EAR.',
  'Policy of denial for all items subject to the EAR apart from food and medicine designated as EAR99, which will be reviewed on a case-by-case basis. See § 746.8(b).',
  'Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999, 1D003, 2A983, 2D983, and 2E983, and for EAR99 items described in the Note to ECCN 1A995; presumption of denial for all other items subject to the EAR.',
  'Presumption of denial for items subject to the EAR except for items described in § 744.11(a)(2)(i), which are reviewed case-by-case.',
];

const SUFFIX_SWAPS = [
  [/\bCompany Limited\b/, 'Co., Ltd.'],
  [/\bCo\., Ltd\.?/, 'Company Limited'],
  [/\bLimited Liability Company\b/, 'LLC'],
  [/\bJoint Stock Company\b/, 'JSC'],
  [/\bJSC\b/, 'Joint Stock Company'],
  [/\bCorporation\b/, 'Corp.'],
  [/\bCompany\b/, 'Co.'],
  [/\bLimited\b/, 'Ltd.'],
  [/\bTechnology\b/, 'Tech'],
  [/\bInternational\b/, 'Intl.'],
  [/\bTrading\b/, 'Trade'],
];

/** An invented alias for a revision: a spelling variant or acronym of the name. */
function inventAlias(e, rng) {
  const have = new Set([e.name, ...e.aliases].map(normKey));
  const cands = [];
  for (const [re, rep] of SUFFIX_SWAPS) if (re.test(e.name)) cands.push(e.name.replace(re, rep));
  const paren = /\(([A-Z][A-Z0-9-]{1,9})\)/.exec(e.name);
  if (paren) cands.push(paren[1]);
  const words = e.name
    .replace(/\(.*?\)/g, '')
    .split(/[\s-]+/)
    .filter((w) => /^[A-Za-z]/.test(w));
  if (words.length >= 3) cands.push(words.map((w) => w[0].toUpperCase()).join(''));
  cands.push(`${e.name.replace(/[.,\s]+$/, '')} Group`);
  const ok = cands.filter((c) => c && !have.has(normKey(c)));
  return ok.length ? rng.pick(ok) : null;
}

/** Revises an entry (returns the new entry and a prose description of the change). */
function reviseEntry(e, rng, addressPool, citation) {
  const n = clone(e);
  const kinds = rng.shuffle(['address', 'alias', 'policy', 'fdp', 'dropAddress', 'fka']);
  const done = [];
  for (const k of kinds) {
    if (done.length >= rng.int(1, 2)) break;
    if (k === 'address') {
      const cand = (addressPool.get(e.country) ?? []).filter(
        (a) => !n.addresses.some((x) => normKey(x) === normKey(a)),
      );
      if (!cand.length) continue;
      n.addresses.push(rng.pick(cand));
      done.push('add an address');
    } else if (k === 'alias') {
      const a = inventAlias(n, rng);
      if (!a) continue;
      const fka = n._fka ?? 0;
      n.aliases.splice(n.aliases.length - fka, 0, a);
      done.push('add an alias');
    } else if (k === 'fka') {
      if (n._fka) continue;
      const a = inventAlias(n, rng);
      if (!a) continue;
      n.aliases.push(a);
      n._fka = 1;
      done.push('add a former name');
    } else if (k === 'policy') {
      const p = rng.pick(POLICIES.filter((x) => normKey(x) !== normKey(n.licenseReviewPolicy)));
      n.licenseReviewPolicy = p;
      done.push('revise the license review policy');
    } else if (k === 'fdp') {
      if (n._suName || n._suLicense) continue;
      n.licenseRequirement = 'For all items subject to the EAR. (See §§ 734.9(e)(1) and 744.11 of the EAR)';
      n._suName = 1;
      done.push('impose a foreign direct product license requirement');
    } else if (k === 'dropAddress') {
      if (n.addresses.length < 2) continue;
      n.addresses.splice(rng.int(0, n.addresses.length - 1), 1);
      done.push('remove an address');
    }
  }
  if (!done.length) {
    n.licenseReviewPolicy = POLICIES[0] === n.licenseReviewPolicy ? POLICIES[1] : POLICIES[0];
    done.push('revise the license review policy');
  }
  n.federalRegisterCitations.push(citation);
  return { entry: n, description: andList(done) };
}

/** A correction: something the original entry got wrong. */
function correctEntry(e, rng, addressPool, citation, addOwnCitation) {
  const n = clone(e);
  const cand = (addressPool.get(e.country) ?? []).filter(
    (a) => !n.addresses.some((x) => normKey(x) === normKey(a)),
  );
  const alias = inventAlias(n, rng);
  const choice = rng.weighted({ address: cand.length ? 2 : 0, alias: alias ? 2 : 0, lr: 1 });
  let what;
  if (choice === 'address') {
    n.addresses.push(rng.pick(cand));
    what = 'omitted an address';
  } else if (choice === 'alias') {
    const fka = n._fka ?? 0;
    n.aliases.splice(n.aliases.length - fka, 0, alias);
    what = 'omitted an alias';
  } else {
    n.licenseRequirement =
      n.licenseRequirement === 'For all items subject to the EAR. (See § 744.11 of the EAR)'
        ? 'For all items subject to the EAR. (See § 744.11 of the EAR).'
        : 'For all items subject to the EAR. (See § 744.11 of the EAR)';
    what = 'misstated the license requirement';
  }
  if (addOwnCitation) n.federalRegisterCitations.push(citation);
  return { entry: n, what };
}

// ---------- cell forms ----------

function chooseForm(e, rng, era) {
  return {
    aliasForm: rng.chance(era === 'old' ? 0.7 : 0.55) ? 'li' : 'inline',
    addrForm: rng.weighted({ join: 8, 'join-noand': 1, 'li-each': 1 }),
    addrInLi: rng.chance(0.3),
    akaComma: rng.chance(0.85),
    countStyle: rng.weighted({ word: 8, digit: 1, bare: 1 }),
    suName: e._suName ?? 0,
    suLicense: e._suLicense ?? 0,
    slotInLi: rng.chance(0.2),
    italicAnd: rng.chance(0.06),
    lastAliasNoPeriod: rng.chance(0.06),
  };
}

// ---------- preamble & prose ----------

const BACKGROUND = [
  'The Entity List (supplement no. 4 to part 744 of the EAR) identifies entities for which there is reasonable cause to believe, based on specific and articulable facts, that the entities have been involved, are involved, or pose a significant risk of being or becoming involved in activities contrary to the national security or foreign policy interests of the United States, pursuant to § 744.11(b) of the EAR. The EAR imposes additional license requirements on, and limits the availability of most license exceptions for, exports, reexports, and transfers (in-country) to listed entities.',
  'The End-User Review Committee (ERC), composed of representatives of the Departments of Commerce (Chair), State, Defense, Energy and, where appropriate, the Treasury, makes all decisions regarding additions to, removals from, or other modifications to the Entity List. The ERC makes all decisions to add an entry to the Entity List by majority vote and all decisions to remove or modify an entry by unanimous vote.',
];

const RATIONALES = [
  'The ERC determined that these entities have been involved in the procurement of U.S.-origin items for unauthorized military end uses.',
  'These entities have supplied or attempted to supply U.S.-origin items to destinations subject to comprehensive sanctions without the required authorization.',
  'The ERC determined that the conduct of these entities raises sufficient concern that prior review of exports, reexports, or transfers (in-country) of items subject to the EAR involving these entities, and the possible imposition of license conditions or license denials on shipments to these entities, will enhance BIS\u2019s ability to prevent violations of the EAR.',
  'These entities have been involved in the diversion of items subject to the EAR to end users in Russia in support of its military and defense industrial base.',
];

const RULEMAKING = [
  '1. Executive Orders 13563 and 12866 direct agencies to assess all costs and benefits of available regulatory alternatives. This rule has been determined to be not significant for purposes of Executive Order 12866.',
  '2. Notwithstanding any other provision of law, no person is required to respond to or be subject to a penalty for failure to comply with a collection of information, subject to the requirements of the Paperwork Reduction Act of 1995 (44 U.S.C. 3501 et seq.) (PRA), unless that collection of information displays a currently valid Office of Management and Budget (OMB) Control Number.',
  '3. This rule does not contain policies with federalism implications as that term is defined in Executive Order 13132.',
  '4. Pursuant to 50 U.S.C. 4821, this action is exempt from the Administrative Procedure Act (5 U.S.C. 553) requirements for notice of proposed rulemaking, opportunity for public participation, and delay in effective date.',
];

const AUTHORITY_OLD =
  '50 U.S.C. 1701 <E T="03">et seq.</E>; 22 U.S.C. 3201 <E T="03">et seq.</E>; 42 U.S.C. 2139a; 22 U.S.C. 7201 <E T="03">et seq.</E>; 22 U.S.C. 7210; E.O. 12058, 43 FR 20947, 3 CFR, 1978 Comp., p. 179; E.O. 12851, 58 FR 33181, 3 CFR, 1993 Comp., p. 608; E.O. 12938, 59 FR 59099, 3 CFR, 1994 Comp., p. 950; E.O. 12947, 60 FR 5079, 3 CFR, 1995 Comp., p. 356; E.O. 13026, 61 FR 58767, 3 CFR, 1996 Comp., p. 228; E.O. 13099, 63 FR 45167, 3 CFR, 1998 Comp., p. 208; E.O. 13222, 66 FR 44025, 3 CFR, 2001 Comp., p. 783; E.O. 13224, 66 FR 49079, 3 CFR, 2001 Comp., p. 786.';
const AUTHORITY_NEW =
  '50 U.S.C. 4801-4852; 50 U.S.C. 4601 <E T="03">et seq.</E>; 50 U.S.C. 1701 <E T="03">et seq.</E>; 22 U.S.C. 3201 <E T="03">et seq.</E>; 42 U.S.C. 2139a; 22 U.S.C. 7201 <E T="03">et seq.</E>; 22 U.S.C. 7210; E.O. 12058, 43 FR 20947, 3 CFR, 1978 Comp., p. 179; E.O. 12851, 58 FR 33181, 3 CFR, 1993 Comp., p. 608; E.O. 12938, 59 FR 59099, 3 CFR, 1994 Comp., p. 950; E.O. 13026, 61 FR 58767, 3 CFR, 1996 Comp., p. 228; E.O. 13099, 63 FR 45167, 3 CFR, 1998 Comp., p. 208; E.O. 13222, 66 FR 44025, 3 CFR, 2001 Comp., p. 783; E.O. 13224, 66 FR 49079, 3 CFR, 2001 Comp., p. 786.';

function signer(date) {
  if (date < '2017-06-01') return ['Kevin J. Wolf,', 'Assistant Secretary for Export Administration.'];
  if (date < '2021-01-01') return ['Richard E. Ashooh,', 'Assistant Secretary for Export Administration.'];
  if (date < '2022-06-01')
    return ['Matthew S. Borman,', 'Deputy Assistant Secretary for Export Administration.'];
  return ['Thea D. Rozman Kendler,', 'Assistant Secretary for Export Administration.'];
}

function president(date) {
  if (date < '2017-01-20') return { identifier: 'barack-obama', name: 'Barack Obama' };
  if (date < '2021-01-20') return { identifier: 'donald-trump', name: 'Donald Trump' };
  if (date < '2025-01-20') return { identifier: 'joe-biden', name: 'Joseph R. Biden Jr.' };
  return { identifier: 'donald-trump', name: 'Donald Trump' };
}

/** GPO prints en dashes in document numbers and dockets before March 2024. */
function dashed(s, date) {
  return date < '2024-03-01' ? s.replace(/-/g, '\u2013') : s;
}

function countWords(n, rng) {
  return rng.chance(0.75) || n < 10 ? numberWord(n) : String(n);
}

function subjectFor(plan) {
  const parts = [];
  if (plan.adds.size) parts.push('Addition of Certain Entities to the Entity List');
  if (plan.revises.size) parts.push('Revision of Certain Entries on the Entity List');
  if (plan.removes.size) parts.push('Removal of Certain Entities From the Entity List');
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return `${parts[0]} and ${parts[1]}`;
  return `${parts[0]}, ${parts[1]}, and ${parts[2]}`;
}

function destList(countries) {
  return andList(countries.map(destTitle));
}

// ---------- document skeleton ----------

function preamble({ start, agency, subagy, cfr, depdoc, rin, subject, action, summary, dates, contact }) {
  const L = [];
  L.push(`<PRTPAGE P="${start}"/>`);
  L.push(`<AGENCY TYPE="S">${agency}</AGENCY>`);
  if (subagy) L.push(`<SUBAGY>${subagy}</SUBAGY>`);
  L.push(`<CFR>${cfr}</CFR>`);
  if (depdoc) L.push(`<DEPDOC>${depdoc}</DEPDOC>`);
  if (rin) L.push(`<RIN>${rin}</RIN>`);
  L.push(`<SUBJECT>${esc(subject)}</SUBJECT>`);
  L.push(
    '<AGY>',
    '<HD SOURCE="HED">AGENCY:</HD>',
    `<P>${agency === 'DEPARTMENT OF COMMERCE' ? 'Bureau of Industry and Security, Commerce.' : esc(subagy ?? agency)}</P>`,
    '</AGY>',
  );
  L.push('<ACT>', '<HD SOURCE="HED">ACTION:</HD>', `<P>${esc(action)}</P>`, '</ACT>');
  L.push('<SUM>', '<HD SOURCE="HED">SUMMARY:</HD>', `<P>${esc(summary)}</P>`, '</SUM>');
  L.push('<EFFDATE>', '<HD SOURCE="HED">DATES:</HD>', `<P>${esc(dates)}</P>`, '</EFFDATE>');
  L.push(
    '<FURINF>',
    '<HD SOURCE="HED">FOR FURTHER INFORMATION CONTACT:</HD>',
    `<P>${contact}</P>`,
    '</FURINF>',
  );
  return `<PREAMB>\n${L.join('\n')}\n</PREAMB>`;
}

const ERC_CONTACT =
  'Chair, End-User Review Committee, Office of the Assistant Secretary, Export Administration, Bureau of Industry and Security, Department of Commerce, Phone: (202) 482-5991, Email: <E T="03">ERC@bis.doc.gov.</E>';

function lstsub744() {
  return [
    '<LSTSUB>',
    '<HD SOURCE="HED">List of Subjects in 15 CFR Part 744</HD>',
    '<P>Exports, Reporting and recordkeeping requirements, Terrorism.</P>',
    '</LSTSUB>',
  ].join('\n');
}

function part744(date) {
  return [
    '<PART>',
    SLOT,
    '<HD SOURCE="HED">PART 744\u2014CONTROL POLICY: END-USER AND END-USE BASED</HD>',
    '</PART>',
    '<REGTEXT TITLE="15" PART="744">',
    `<AMDPAR>1. The authority citation for ${date < '2019-01-01' ? '15 CFR ' : ''}part 744 continues to read as follows:</AMDPAR>`,
    '<AUTH>',
    '<HD SOURCE="HED">Authority:</HD>',
    `<P>${date < '2018-08-13' ? AUTHORITY_OLD : AUTHORITY_NEW}</P>`,
    '</AUTH>',
    '</REGTEXT>',
  ].join('\n');
}

function regtextBlocks(blocks, rng, era) {
  const out = [];
  const forms = [];
  for (const b of blocks) {
    const L = ['<REGTEXT TITLE="15" PART="744">'];
    b.amdpars.forEach((t, i) => {
      let text = esc(t);
      if (i > 0) L.push(SLOT);
      if (rng.chance(0.25)) text = slotMidText(text, rng);
      L.push(`<AMDPAR>${text}</AMDPAR>`);
    });
    if (b.rawXml) L.push(b.rawXml);
    if (b.rows && b.rows.length) {
      if (rng.chance(0.85)) L.push(`<HD SOURCE="HD1">Supplement No. 4 to Part 744\u2014Entity List</HD>`);
      if (rng.chance(0.85)) L.push('<STARS/>');
      const t = renderTable(b.rows, {
        leadingStars: rng.chance(era === 'old' ? 0.2 : 0.4),
        cdef: rng.pick([
          's50,r50,r50,r50,r50',
          's50,r50,r50,r50,r50',
          'xs60,r100,r100,r100,r100',
          's25,r50,r50,r50,r50',
        ]),
        tableOpts: rng.pick(['L2,i1', 'L2,i1', 'L2,nj,i1', 'L2(,0,),i1']),
        selfClosingBlank: rng.chance(0.2),
        capitalHeads: rng.chance(0.25),
      });
      forms.push(...t.forms.map((f, i) => ({ row: b.rows[i], forms: f })));
      L.push(t.xml);
      L.push('<STARS/>');
    }
    L.push('</REGTEXT>');
    out.push(L.join('\n'));
  }
  return { xml: out.join('\n'), forms };
}

/** An amendment to another provision of part 744 (not an Entity List change). Unnumbered text. */
function otherAmendment(rng, state, era, citation) {
  const kind = rng.pick(['meu', 'meu', 'section']);
  if (kind === 'section') {
    const sect = rng.pick(['744.11', '744.21']);
    return {
      kind: `section ${sect}`,
      amdpars: [
        era === 'old'
          ? `Section ${sect} is amended by revising paragraph (b) to read as follows:`
          : `Amend § ${sect} by revising paragraph (b) to read as follows:`,
      ],
      rawXml: [
        '<SECTION>',
        `<SECTNO>§ ${sect}</SECTNO>`,
        `<SUBJECT>${sect === '744.11' ? 'License requirements that apply to entities acting or at significant risk of acting contrary to the national security or foreign policy interests of the United States.' : 'Restrictions on certain military end uses or military end users.'}</SUBJECT>`,
        '<STARS/>',
        `<P>(b) <E T="03">Review policy.</E> Applications for licenses for items subject to this section and to the Entity List (supplement no. 4 to this part) will be reviewed with a presumption of denial, except as the entry provides.</P>`,
        '<STARS/>',
        '</SECTION>',
      ].join('\n'),
      rows: null,
    };
  }
  // The MEU list: listed entities under RUSSIA or CHINA, quoted in the instruction.
  const dest = rng.pick(['RUSSIA', "CHINA, PEOPLE'S REPUBLIC OF"]);
  const cands = [...state.values()].filter((e) => e.country === dest);
  const picks = rng.shuffle(cands).slice(0, rng.int(1, 3));
  const names = picks.map((e) => e.name).sort((a, b) => a.localeCompare(b));
  if (!names.length) names.push('Joint Stock Company Ural Optical and Mechanical Plant');
  const quoted = names.map((n) => `\u201c${n}\u201d`);
  const list =
    quoted.length === 1
      ? quoted[0]
      : quoted.length === 2
        ? quoted.join(' and ')
        : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  const rows = names
    .map(
      (n, i) =>
        `<ROW>${i === 0 ? `<ENT I="01">${esc(dest)}</ENT>` : '<ENT I="22"> </ENT>'}<ENT>${esc(n)}, ${esc(rng.pick(['Moscow, Russia', 'Beijing, China', 'St. Petersburg, Russia']))}.</ENT><ENT>${esc(citation)}.</ENT></ROW>`,
    )
    .join('\n');
  return {
    kind: 'meu supplement no. 7',
    amdpars: [
      `${era === 'old' ? 'Supplement No. 7 to part 744 is amended by adding' : 'Amend supplement no. 7 to part 744 by adding'} under ${dest}, in alphabetical order, ${names.length === 1 ? 'an entry for' : 'entries for'} ${list} to read as follows:`,
    ],
    rawXml: [
      '<HD SOURCE="HD1">Supplement No. 7 to Part 744\u2014\u201cMilitary End-User\u201d (MEU) List</HD>',
      '<GPOTABLE COLS="3" OPTS="L2,i1" CDEF="s50,r75,r50">',
      '<TTITLE> </TTITLE>',
      '<BOXHD>',
      '<CHED H="1">Country</CHED>',
      '<CHED H="1">Entity</CHED>',
      '<CHED H="1">Federal Register citation</CHED>',
      '</BOXHD>',
      '<ROW EXPSTB="02" RUL="s"><ENT I="28">*         *         *         *         *         *         *</ENT></ROW>',
      rows,
      '<ROW EXPSTB="02" RUL="s"><ENT I="28">*         *         *         *         *         *         *</ENT></ROW>',
      '</GPOTABLE>',
    ].join('\n'),
    rows: null,
  };
}

function sigBlock(date, who) {
  const [name, title] = who;
  return [
    '<SIG>',
    `<DATED>Dated: ${longDate(date)}.</DATED>`,
    `<NAME>${name}</NAME>`,
    `<TITLE>${title}</TITLE>`,
    '</SIG>',
  ].join('\n');
}

function tail(doc, billing) {
  let filed = addDays(doc.date, -rng0(doc).int(1, 3));
  while (weekday(filed) === 0 || weekday(filed) === 6) filed = addDays(filed, -1);
  const d = parseDate(filed);
  const f = `${d.getUTCMonth() + 1}-${d.getUTCDate()}-${String(d.getUTCFullYear()).slice(2)}`;
  const time = rng0(doc).pick(['8:45 am', '4:15 pm', '11:15 am', '8:45 am']);
  return [
    `<FRDOC>[FR Doc. ${dashed(doc.number, doc.date)} Filed ${dashed(f, doc.date)}; ${time}]</FRDOC>`,
    `<BILCOD>BILLING CODE ${dashed(billing, doc.date)}</BILCOD>`,
  ].join('\n');
}

function rng0(doc) {
  doc._tailRng ??= new Rng(`tail:${doc.number}`);
  return doc._tailRng;
}

// ---------- SUPLINF for Entity List rules ----------

function suplinfEl(doc, plan, mode, rng) {
  const L = ['<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>', '<HD SOURCE="HD1">Background</HD>'];
  for (const p of BACKGROUND) L.push(`<P>${rng.chance(0.3) ? slotMidText(esc(p), rng) : esc(p)}</P>`);
  L.push('<HD SOURCE="HD1">ERC Entity List Decisions</HD>');
  const listed = new Set();
  const addCount = [...plan.adds.values()].reduce((s, es) => s + es.length, 0);
  const revCount = [...plan.revises.values()].reduce((s, es) => s + es.length, 0);
  const remCount = [...plan.removes.values()].reduce((s, ns) => s + ns.length, 0);
  const addDests = [...plan.adds.keys()];
  let sec = 0;
  const H = (t) => `<HD SOURCE="HD2">${String.fromCharCode(65 + sec++)}. ${t}</HD>`;
  if (addCount) {
    L.push(H('Additions to the Entity List'));
    const nEnt = countWords(addCount, rng);
    const dests = destList(addDests);
    if (mode === 'fp') {
      L.push(
        `<P>This rule implements the decision of the ERC to add ${nEnt} ${addCount === 1 ? 'entity' : 'entities'} to the Entity List. For the reasons described in this rule, the ERC determined to add the following ${addCount === 1 ? 'entity' : 'entities'} under the ${addDests.length === 1 ? 'destination' : 'destinations'} of ${esc(dests)}:</P>`,
      );
      L.push(SLOT);
      for (const [c, es] of plan.adds) {
        const names = es.map((e) => e.name);
        names.forEach((n) => listed.add(n));
        L.push(
          `<FP SOURCE="FP-1">${esc(capFirst(destTitle(c)))}: ${esc(names.join('; '))}${/\.$/.test(names.at(-1)) ? '' : '.'}</FP>`,
        );
      }
    } else if (mode === 'prose') {
      L.push(
        `<P>This rule implements the decision of the ERC to add ${nEnt} ${addCount === 1 ? 'entity' : 'entities'} to the Entity List under the ${addDests.length === 1 ? 'destination' : 'destinations'} of ${esc(dests)}. ${esc(rng.pick(RATIONALES))}</P>`,
      );
      for (const [c, es] of plan.adds) {
        const names = es.map((e) => e.name);
        names.forEach((n) => listed.add(n));
        L.push(SLOT);
        if (names.length === 1)
          L.push(
            `<P>Under the destination of ${esc(destTitle(c))}, the ERC determined to add ${esc(names[0])} to the Entity List. ${esc(rng.pick(RATIONALES))}</P>`,
          );
        else
          L.push(
            `<P>Under the destination of ${esc(destTitle(c))}, the ERC determined to add the following ${numberWord(names.length)} entities to the Entity List: ${esc(names.join('; '))}. ${esc(rng.pick(RATIONALES))}</P>`,
          );
      }
    } else {
      const per = [...plan.adds].map(
        ([c, es]) =>
          `${numberWord(es.length)} ${es.length === 1 ? 'entity' : 'entities'} under ${destTitle(c)}`,
      );
      L.push(
        `<P>This rule implements the decision of the ERC to add ${nEnt} ${addCount === 1 ? 'entity' : 'entities'} to the Entity List. For the reasons described in this rule, the ERC determined to add ${esc(andList(per))}. ${esc(rng.pick(RATIONALES))}</P>`,
      );
      L.push(`<P>${slotMidText(esc(RATIONALES[2] + ' ' + RATIONALES[0]), rng)}</P>`);
    }
  }
  if (revCount) {
    L.push(H('Revisions to the Entity List'));
    if (mode === 'none') {
      L.push(
        `<P>This rule implements a decision of the ERC to modify ${countWords(revCount, rng)} existing ${revCount === 1 ? 'entry' : 'entries'} on the Entity List, as shown in the table below. Each revised entry retains its earlier Federal Register citation(s) and adds the citation for this rule.</P>`,
      );
    } else {
      for (const [c, es] of plan.revises)
        for (const e of es) {
          listed.add(e.name);
          L.push(
            `<P>This rule implements a decision of the ERC to revise the entry for ${esc(e.name)} under ${esc(destTitle(c))} on the Entity List to ${esc(plan.revisionNotes.get(key(c, e.name)) ?? 'update it')}.</P>`,
          );
        }
    }
  }
  if (remCount) {
    L.push(H('Removals From the Entity List'));
    if (mode === 'none') {
      L.push(
        `<P>This rule implements a decision of the ERC to remove ${countWords(remCount, rng)} ${remCount === 1 ? 'entity' : 'entities'} from the Entity List on the basis of removal requests received by BIS. The ERC determined that the ${remCount === 1 ? 'entity' : 'entities'} no longer ${remCount === 1 ? 'meets' : 'meet'} the criteria for inclusion.</P>`,
      );
    } else {
      const names = [...plan.removes].flatMap(([c, ns]) => ns.map((n) => ({ c, n })));
      names.forEach((x) => listed.add(x.n));
      if (mode === 'fp')
        L.push(
          `<P>This rule implements a decision of the ERC to remove the following ${remCount === 1 ? 'entity' : 'entities'} from the Entity List on the basis of removal requests received by BIS: ${esc(names.map((x) => x.n).join('; '))}${/\.$/.test(names.at(-1).n) ? '' : '.'}</P>`,
        );
      else
        for (const x of names)
          L.push(
            `<P>The ERC determined to remove ${esc(x.n)}, under the destination of ${esc(destTitle(x.c))}, from the Entity List on the basis of a removal request.</P>`,
          );
    }
  }
  L.push('<HD SOURCE="HD1">Savings Clause</HD>');
  L.push(
    `<P>Shipments of items removed from eligibility for a License Exception or export, reexport, or transfer (in-country) without a license (NLR) as a result of this regulatory action that were en route aboard a carrier to a port of export, reexport, or transfer (in-country), on ${longDate(doc.date)}, pursuant to actual orders for export, reexport, or transfer (in-country) to or within a foreign destination, may proceed to that destination under the previous eligibility for a License Exception or export, reexport, or transfer (in-country) without a license (NLR).</P>`,
  );
  L.push('<HD SOURCE="HD1">Rulemaking Requirements</HD>');
  for (const p of RULEMAKING.slice(0, rng.int(1, RULEMAKING.length))) L.push(SLOT, `<P>${esc(p)}</P>`);
  return { xml: L.join('\n'), listed };
}

// ---------- main ----------

function main() {
  const opts = parseArgs(process.argv);
  INDENT_SHARE = opts.indentShare;
  const rng = new Rng(opts.seed);
  const { groups } = loadCsl(opts.csl);
  const exclude = devNames(opts.dev);
  const pool = groups
    .filter((g) => !exclude.has(g.key))
    .map((g) => ({ ...g, h: fnv1a(`${opts.seed}|${g.key}`) }))
    .sort((a, b) => a.h - b.h || (a.key < b.key ? -1 : 1));

  const addressPool = new Map();
  for (const g of pool)
    for (const l of g.listings) {
      const list = addressPool.get(l.country) ?? [];
      list.push(...l.addresses);
      addressPool.set(l.country, list);
    }

  // Reservoir of groups to add over the timeline; the rest are the baseline.
  const nRes = Math.floor(pool.length * 0.5);
  const reservoir = pool.slice(0, nRes).map((g) => ({ ...g, listings: [...g.listings] }));
  const baseGroups = pool.slice(nRes);

  // Timeline.
  const nDocs = opts.docs ?? rng.int(17, 24);
  const nNeg = rng.int(1, 2);
  const nCorr = rng.int(1, 2);
  const nEl = nDocs - nNeg - nCorr;
  const startYear = rng.int(2009, 2016);
  const span = (parseDate('2025-06-30') - parseDate(`${startYear}-01-15`)) / 86400000;
  const dates = new Set();
  while (dates.size < nDocs) {
    let d = addDays(`${startYear}-01-15`, rng.int(0, span));
    while (weekday(d) === 0 || weekday(d) === 6 || /-(01-01|07-04|12-25)$/.test(d)) d = addDays(d, 1);
    if ([...dates].some((x) => Math.abs(parseDate(x) - parseDate(d)) < 12 * 86400000)) continue;
    dates.add(d);
  }
  const sorted = [...dates].sort();
  const kinds = Array(nDocs).fill('el');
  const freeIdx = rng.shuffle([...Array(nDocs).keys()].filter((i) => i >= 2));
  for (let i = 0; i < nCorr; i++) kinds[freeIdx[i]] = 'correction';
  for (let i = 0; i < nNeg; i++) kinds[freeIdx[nCorr + i]] = 'negative';

  // Styles: every style at least once, old wordings early, new ones late.
  const oldList = rng.shuffle(OLD_STYLES);
  const newList = rng.shuffle(NEW_STYLES);
  while (oldList.length + newList.length < nEl)
    (rng.chance(0.45) ? oldList : newList).push(rng.pick(rng.chance(0.45) ? OLD_STYLES : NEW_STYLES));
  const styles = [...oldList, ...newList].slice(0, nEl);
  // A little cross-era mixing.
  for (let i = 0; i < 2; i++) {
    const a = rng.int(0, nEl - 1);
    const b = rng.int(0, nEl - 1);
    if (rng.chance(0.5)) [styles[a], styles[b]] = [styles[b], styles[a]];
  }
  const suplinfModes = { on: ['fp', 'prose'], off: ['none'], mixed: ['fp', 'prose', 'none'] }[
    opts.suplinfNames
  ];

  // Document numbers and pages.
  let lastYear = null;
  let seqBase = 0;
  const docs = sorted.map((date, i) => {
    const year = Number(date.slice(0, 4));
    const doy = Math.floor((parseDate(date) - parseDate(`${year}-01-01`)) / 86400000);
    if (year !== lastYear) {
      lastYear = year;
      seqBase = 0;
    }
    const seq = Math.max(seqBase + 50, Math.floor((doy / 366) * 28000) + rng.int(100, 900));
    seqBase = seq;
    return {
      index: i,
      date,
      kind: kinds[i],
      number: `${year}-${String(seq).padStart(5, '0')}`,
      volume: year - 1935,
      startPage: Math.max(100, Math.floor((doy / 366) * 84000) + rng.int(0, 400)),
    };
  });

  // Baseline.
  const firstDate = docs[0].date;
  const baselineAsOf = addDays(firstDate, -1);
  const state = new Map();
  const makeBase = (l) => {
    let cites = l.cslCitations
      .map((c) => ({ ...c, iso: citationDate(c, l.startDate) }))
      .filter((c) => c.iso < firstDate)
      .map((c) => fmtCitation(c.volume, c.page, c.iso));
    if (!cites.length) {
      const y = rng.int(2008, Number(firstDate.slice(0, 4)) - 1);
      const iso = addDays(`${y}-01-05`, rng.int(0, 340));
      cites = [fmtCitation(y - 1935, Math.floor((rng.int(5, 355) / 366) * 80000), iso)];
    }
    return {
      country: l.country,
      name: l.name,
      aliases: [...l.aliases],
      addresses: [...l.addresses],
      licenseRequirement: l.licenseRequirement,
      licenseReviewPolicy: l.licenseReviewPolicy,
      federalRegisterCitations: [...new Set(cites)],
      _fka: l.aliases.length >= 2 && rng.chance(0.12) ? 1 : 0,
      _suLicense: l.licenseFootnote ? 4 : 0,
      _suName: 0,
      origin: 'baseline',
    };
  };
  const baselineEntries = [];
  for (const g of baseGroups)
    for (const l of g.listings) {
      const e = makeBase(l);
      state.set(key(l.country, l.name), e);
      baselineEntries.push(clone(e));
    }

  const out = resolve(opts.out);
  rmSync(out, { recursive: true, force: true });
  for (const d of ['docs', 'api', 'expected']) mkdirSync(join(out, d), { recursive: true });

  const meta = { seed: String(opts.seed), suplinfNames: opts.suplinfNames, docs: [], changes: [] };
  const elDocs = [];
  let styleIdx = 0;
  const takeGroups = (n, maxDests, onlyDest) => {
    const picked = [];
    const dests = new Set();
    for (let i = 0; i < reservoir.length && picked.length < n; i++) {
      const g = reservoir[i];
      let ls = g.listings;
      if (onlyDest) ls = ls.filter((l) => l.country === onlyDest);
      if (!ls.length) continue;
      const nd = new Set([...dests, ...ls.map((l) => l.country)]);
      if (nd.size > maxDests) continue;
      ls.forEach((l) => dests.add(l.country));
      picked.push(...ls);
      g.listings = g.listings.filter((l) => !ls.includes(l));
      if (!g.listings.length) reservoir.splice(i--, 1);
      if (picked.length >= n) break;
    }
    return picked;
  };
  const commonDest = () => {
    const counts = new Map();
    for (const g of reservoir)
      for (const l of g.listings) counts.set(l.country, (counts.get(l.country) ?? 0) + 1);
    const top = [...counts]
      .filter(([, n]) => n >= 3)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    return top.length ? rng.pick(top)[0] : null;
  };
  const liveEntries = (skip, preferDests) => {
    const all = [...state.values()].filter((e) => !skip.has(key(e.country, e.name)));
    if (preferDests && preferDests.size && rng.chance(0.7)) {
      const pref = all.filter((e) => preferDests.has(e.country));
      if (pref.length) return pref;
    }
    return all;
  };

  for (const doc of docs) {
    const drng = rng.fork(`doc:${doc.number}`);
    setMidCellSlots(drng.fork('slots'));
    let xml;
    let expected;
    let apiInfo;
    if (doc.kind === 'el') {
      const style = styles[styleIdx++];
      const era = OLD_STYLES.includes(style) ? 'old' : 'new';
      doc.style = style;
      doc.citation = fmtCitation(doc.volume, doc.startPage, doc.date);
      const plan = {
        adds: new Map(),
        revises: new Map(),
        removes: new Map(),
        revisionNotes: new Map(),
        rows: [],
      };
      const touched = new Set();
      // Composition by style.
      let nAdd = 0;
      let nRev = 0;
      let nRem = 0;
      let maxDests = 6;
      let onlyDest = null;
      const big = drng.chance(0.15);
      switch (style) {
        case 'O1':
        case 'N4':
          onlyDest = commonDest();
          nAdd = big ? drng.int(12, 28) : drng.int(1, 10);
          nRev = style === 'N4' && drng.chance(0.35) ? 1 : 0;
          break;
        case 'O2':
          nAdd = drng.int(4, 14);
          maxDests = drng.int(2, 4);
          nRev = drng.chance(0.4) ? drng.int(1, 2) : 0;
          break;
        case 'O4':
        case 'N6':
          nRem = drng.int(1, 5);
          break;
        default: {
          const reviseOnly = drng.chance(0.12) && style !== 'N2' && style !== 'N3';
          nAdd = reviseOnly ? 0 : big ? drng.int(20, 40) : drng.int(5, 22);
          nRev = reviseOnly ? drng.int(1, 4) : drng.int(0, 3);
          nRem = reviseOnly ? 0 : drng.int(0, 3);
          if (!reviseOnly && nRev + nRem === 0) nRem = 1;
          maxDests = drng.int(2, 7);
        }
      }
      if (style === 'N2' || style === 'N3') {
        nRev = Math.max(nRev, 1);
        nRem = Math.max(nRem, 1);
      }
      for (const l of takeGroups(nAdd, maxDests, onlyDest)) {
        const k = key(l.country, l.name);
        if (state.has(k)) continue;
        const e = {
          country: l.country,
          name: l.name,
          aliases: [...l.aliases],
          addresses: [...l.addresses],
          licenseRequirement: l.licenseRequirement,
          licenseReviewPolicy: l.licenseReviewPolicy,
          federalRegisterCitations: [doc.citation],
          _fka: l.aliases.length >= 1 && drng.chance(0.12) ? 1 : 0,
          _suLicense: l.licenseFootnote ? 4 : 0,
          _suName: !l.licenseFootnote && drng.chance(0.08) ? drng.pick([1, 2, 3]) : 0,
          origin: doc.number,
        };
        touched.add(k);
        if (!plan.adds.has(e.country)) plan.adds.set(e.country, []);
        plan.adds.get(e.country).push(e);
      }
      const addDests = new Set(plan.adds.keys());
      if (onlyDest) addDests.add(onlyDest);
      // For nested/combined styles, revise and remove under a destination that also gets additions.
      const sameDest = style === 'N2' || style === 'N3' || style === 'N4';
      for (let i = 0; i < nRev; i++) {
        let cands = liveEntries(touched, addDests);
        if (sameDest)
          cands = cands.filter((e) => addDests.has(e.country)).length
            ? cands.filter((e) => addDests.has(e.country))
            : cands;
        if (style === 'N4') cands = cands.filter((e) => e.country === onlyDest);
        if (!cands.length) continue;
        const e = drng.pick(cands);
        const k = key(e.country, e.name);
        touched.add(k);
        const r = reviseEntry(e, drng, addressPool, doc.citation);
        r.entry.origin = e.origin;
        plan.revisionNotes.set(k, r.description);
        if (!plan.revises.has(e.country)) plan.revises.set(e.country, []);
        plan.revises.get(e.country).push(r.entry);
      }
      for (let i = 0; i < nRem; i++) {
        let cands = liveEntries(touched, addDests);
        if (sameDest && cands.some((e) => addDests.has(e.country)))
          cands = cands.filter((e) => addDests.has(e.country));
        if (!cands.length) continue;
        const e = drng.pick(cands);
        const k = key(e.country, e.name);
        touched.add(k);
        if (!plan.removes.has(e.country)) plan.removes.set(e.country, []);
        plan.removes.get(e.country).push(e.name);
        // An entity listed under several destinations is often removed from all of them.
        if (drng.chance(0.6))
          for (const o of state.values()) {
            const ok = key(o.country, o.name);
            if (o !== e && normKey(o.name) === normKey(e.name) && !touched.has(ok)) {
              touched.add(ok);
              if (!plan.removes.has(o.country)) plan.removes.set(o.country, []);
              plan.removes.get(o.country).push(o.name);
            }
          }
      }
      const byName = (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
      const sortMap = (m, f) =>
        new Map([...m].sort((a, b) => a[0].localeCompare(b[0])).map(([c, v]) => [c, [...v].sort(f)]));
      plan.adds = sortMap(plan.adds, byName);
      plan.revises = sortMap(plan.revises, byName);
      plan.removes = sortMap(plan.removes, (a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
      const rowsByDest = new Map();
      for (const m of [plan.adds, plan.revises])
        for (const [c, es] of m)
          for (const e of es) (rowsByDest.get(c) ?? rowsByDest.set(c, []).get(c)).push(e);
      plan.rows = [...rowsByDest]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .flatMap(([c, es]) =>
          es.sort(byName).map((e) => ({ country: c, entry: e, form: chooseForm(e, drng, era) })),
        );

      // An entity added under several destinations may print a cross-reference to the others.
      for (const r of plan.rows) {
        if (plan.adds.get(r.country)?.includes(r.entry) !== true) continue;
        const others = plan.rows.filter((x) => x !== r && normKey(x.entry.name) === normKey(r.entry.name));
        if (others.length && drng.chance(0.3))
          r.form.seeAlso = {
            dest: destTitle(others[0].country),
            many: others[0].entry.addresses.length > 1,
            afterName: drng.chance(0.3),
          };
      }
      const ctx = makeContext(drng, era);
      let blocks = renderInstructions(style, plan, ctx);
      // Some rules amend another provision in the same part: the Military End-User List
      // (supplement no. 7 to part 744) or a section of part 744, before or after the Entity List.
      if (drng.chance(0.3)) {
        const other = otherAmendment(drng, state, era, doc.citation);
        doc.otherAmendment = other.kind;
        if (drng.chance(0.5)) {
          blocks = blocks.map((b) => ({
            ...b,
            amdpars: b.amdpars.map((t) => t.replace(/^(\d+)\. /, (_, n) => `${Number(n) + 1}. `)),
          }));
          blocks.unshift({ ...other, amdpars: other.amdpars.map((t) => `2. ${t}`) });
        } else {
          const n = blocks.filter((b) => /^\d+\. /.test(b.amdpars[0])).length + 2;
          blocks.push({ ...other, amdpars: other.amdpars.map((t, i) => (i === 0 ? `${n}. ${t}` : t)) });
        }
      }
      const mode = drng.pick(suplinfModes);
      doc.suplinfMode = mode;
      const sup = suplinfEl(doc, plan, mode, drng);
      const reg = regtextBlocks(blocks, drng, era);

      const addN = [...plan.adds.values()].reduce((s, x) => s + x.length, 0);
      const revN = [...plan.revises.values()].reduce((s, x) => s + x.length, 0);
      const remN = [...plan.removes.values()].reduce((s, x) => s + x.length, 0);
      const sumParts = [];
      if (addN)
        sumParts.push(
          `This rule amends the Export Administration Regulations (EAR) by adding ${countWords(addN, drng)} ${addN === 1 ? 'entity' : 'entities'} to the Entity List. ${addN === 1 ? 'This entity has' : 'These entities have'} been determined by the U.S. Government to be acting contrary to the national security or foreign policy interests of the United States and will be listed on the Entity List under the ${plan.adds.size === 1 ? 'destination' : 'destinations'} of ${destList([...plan.adds.keys()])}.`,
        );
      if (revN)
        sumParts.push(
          `${addN ? 'This rule also revises' : 'This rule amends the Export Administration Regulations (EAR) by revising'} ${countWords(revN, drng)} existing ${revN === 1 ? 'entry' : 'entries'} on the Entity List.`,
        );
      if (remN)
        sumParts.push(
          `${addN || revN ? 'This rule also removes' : 'This rule amends the Export Administration Regulations (EAR) by removing'} ${countWords(remN, drng)} ${remN === 1 ? 'entity' : 'entities'} from the Entity List${addN || revN ? '' : ' as the result of a request for removal submitted by the entities'}.`,
        );
      const summary = sumParts.join(' ');
      const signed = addDays(doc.date, -drng.int(3, 9));
      const docket = `${signed.slice(2, 4)}${signed.slice(5, 7)}${signed.slice(8, 10)}-${String(drng.int(1, 199)).padStart(4, '0')}`;
      const rin = `0694-A${drng.pick(['G', 'H', 'I', 'J', 'K'])}${drng.pick('ABCDEFGHJKLMNPQRSTUVWXYZ'.split(''))}${drng.int(10, 99)}`;
      const subject = subjectFor(plan);
      const body = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<RULE>',
        preamble({
          start: doc.startPage,
          agency: 'DEPARTMENT OF COMMERCE',
          subagy: 'Bureau of Industry and Security',
          cfr: '15 CFR Part 744',
          depdoc: `[Docket No. ${dashed(docket, doc.date)}]`,
          rin: `RIN ${dashed(rin, doc.date)}`,
          subject,
          action: 'Final rule.',
          summary,
          dates: `This rule is effective ${longDate(doc.date)}.`,
          contact: ERC_CONTACT,
        }),
        '<SUPLINF>',
        sup.xml,
        lstsub744(),
        `<P>For the reasons stated in the preamble, part 744 of the Export Administration Regulations (15 CFR parts 730${doc.date < '2024-03-01' ? '\u2013' : '-'}774) is amended as follows:</P>`,
        part744(doc.date),
        reg.xml,
        sigBlock(signed, signer(doc.date)),
        '</SUPLINF>',
        tail(doc, '3510-33-P'),
        '</RULE>',
        '',
      ].join('\n');
      const placed = placePageMarks(body, doc.startPage, 3800);
      doc.layout = drng.chance(INDENT_SHARE) ? 'gpo-indent' : 'compact';
      xml = doc.layout === 'gpo-indent' ? gpoIndent(placed.xml) : placed.xml;
      doc.endPage = placed.endPage;

      // Expected + state.
      const changes = [];
      const instrText = blocks.flatMap((b) => b.amdpars).join(' ');
      for (const [c, es] of plan.adds)
        for (const e of es) {
          changes.push({ action: 'add', country: c, entry: stripHidden(e) });
          state.set(key(c, e.name), e);
        }
      for (const [c, es] of plan.revises)
        for (const e of es) {
          changes.push({ action: 'revise', country: c, entry: stripHidden(e) });
          state.set(key(c, e.name), e);
        }
      for (const [c, ns] of plan.removes)
        for (const n of ns) {
          changes.push({ action: 'remove', country: c, entry: { name: n } });
          state.delete(key(c, n));
        }
      expected = { documentNumber: doc.number, isEntityListChange: true, changes };
      // Meta: per change, the forms used, and whether the text leaves a boundary to guesswork.
      for (const f of reg.forms) {
        const e = f.row.entry;
        const action = plan.adds.get(f.row.country)?.includes(e) ? 'add' : 'revise';
        const inInstr = ctx.quoted.has(e.name);
        const inSup = sup.listed.has(e.name);
        const plainComma = f.forms.aliasForm === 'none' && !f.forms.suName && /,/.test(e.name);
        meta.changes.push({
          doc: doc.number,
          action,
          country: f.row.country,
          name: e.name,
          style,
          suplinfMode: mode,
          destPhrase: ctx.destCache.get(f.row.country) ?? null,
          cell: f.forms,
          fka: e._fka ?? 0,
          aliases: e.aliases.length,
          addresses: e.addresses.length,
          nameQuotedInInstruction: inInstr,
          nameListedInSuplinf: inSup,
          ambiguous:
            plainComma && !inInstr && !inSup
              ? 'comma in name, no alias/footnote marker, name given nowhere else'
              : null,
        });
      }
      for (const [c, ns] of plan.removes)
        for (const n of ns)
          meta.changes.push({
            doc: doc.number,
            action: 'remove',
            country: c,
            name: n,
            style,
            suplinfMode: mode,
            destPhrase: ctx.destCache.get(c) ?? null,
            nameQuotedInInstruction: ctx.quoted.has(n),
            ambiguous: null,
          });
      meta.docs.push({
        number: doc.number,
        date: doc.date,
        kind: 'el',
        style,
        styleName: STYLE_NAMES[style],
        suplinfMode: mode,
        quote: ctx.quote,
        casing: ctx.casing,
        destVariants: ctx.destVariants,
        countStyle: ctx.countStyle,
        layout: doc.layout,
        otherAmendment: doc.otherAmendment ?? null,
        instructions: instrText,
      });
      apiInfo = {
        title: subject,
        action: 'Final rule.',
        abstract: summary,
        dates: `This rule is effective ${longDate(doc.date)}.`,
        docket: `Docket No. ${docket}`,
        rin,
        signed,
        agencies: 'bis',
        cfr: [{ title: 15, part: 744 }],
        topics: ['Exports', 'Reporting and recordkeeping requirements', 'Terrorism'],
      };
      elDocs.push({ doc, plan, subject });
    } else if (doc.kind === 'correction') {
      ({ xml, expected, apiInfo } = correctionDoc(doc, drng, elDocs, state, addressPool, meta));
    } else {
      ({ xml, expected, apiInfo } = negativeDoc(doc, drng, meta));
    }
    if (opts.real) {
      // The layout of real rules (see real-layout.mjs): the words, and so the expected extraction, stay.
      xml = renderRealLayout(xml, {
        pretty: opts.real === 'real-pretty',
        citation: `${doc.volume} FR ${doc.startPage}`,
        publicationDate: doc.date,
        variant: fnv1a(doc.number) % 8,
      });
      doc.layout = opts.real;
    }
    writeFileSync(join(out, 'docs', `${doc.number}.xml`), xml);
    writeFileSync(join(out, 'expected', `${doc.number}.json`), `${JSON.stringify(expected, null, 2)}\n`);
    doc.api = apiJson(doc, apiInfo);
    writeFileSync(join(out, 'api', `${doc.number}.json`), `${JSON.stringify(doc.api, null, 2)}\n`);
  }

  // Leftover reservoir listings are part of the baseline too (never touched by a document).
  for (const g of reservoir)
    for (const l of g.listings) {
      const e = makeBase(l);
      state.set(key(l.country, l.name), e);
      baselineEntries.push(clone(e));
    }
  writeSnapshot(join(out, 'baseline.json'), baselineAsOf, baselineEntries);
  writeSnapshot(join(out, 'final.json'), docs.at(-1).date, [...state.values()]);
  writeSearchPages(out, docs);
  selfCheck(out, docs);
  writeFileSync(join(out, 'holdout-meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  const nChanges = meta.changes.length;
  process.stdout.write(
    `holdout corpus seed=${opts.seed} → ${out}: ${docs.length} documents (${nEl} Entity List rules, ${nCorr} corrections, ${nNeg} negatives), baseline ${baselineEntries.length} entries, final ${state.size}, ${nChanges} changes\n`,
  );
}

/** Applying expected/ to baseline.json in publication order must give final.json. */
function selfCheck(out, docs) {
  const read = (p) => JSON.parse(readFileSync(join(out, p), 'utf8'));
  const k = (c, n) => `${c}\u0000${normKey(n)}`;
  const st = new Map(read('baseline.json').entries.map((e) => [k(e.country, e.name), e]));
  for (const d of docs) {
    for (const c of read(`expected/${d.number}.json`).changes) {
      const kk = k(c.country, c.entry.name);
      if (c.action === 'add' && st.has(kk)) throw new Error(`self-check: ${d.number} adds an existing ${kk}`);
      if (c.action !== 'add' && !st.has(kk))
        throw new Error(`self-check: ${d.number} ${c.action}s a missing ${kk}`);
      if (c.action === 'remove') st.delete(kk);
      else st.set(kk, { country: c.country, ...c.entry });
    }
  }
  const fin = read('final.json').entries;
  const same =
    fin.length === st.size &&
    fin.every((e) => JSON.stringify(st.get(k(e.country, e.name))) === JSON.stringify(e));
  if (!same) throw new Error('self-check: baseline + expected changes != final.json');
}

function writeSnapshot(path, asOf, entries) {
  const sorted = [...entries].sort((a, b) =>
    a.country < b.country ? -1 : a.country > b.country ? 1 : a.name.localeCompare(b.name),
  );
  const json = { asOf, entries: sorted.map((e) => ({ country: e.country, ...stripHidden(e) })) };
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

// ---------- corrections ----------

function correctionDoc(doc, rng, elDocs, state, addressPool, meta) {
  // Correct one or two entries that an earlier rule in this corpus added and that are still listed.
  const cands = [];
  for (const { doc: d } of elDocs.slice(-3))
    for (const e of state.values()) if (e.origin === d.number && !e._corrected) cands.push({ d, e });
  if (!cands.length)
    for (const e of state.values())
      if (e.origin !== 'baseline') cands.push({ d: elDocs.find((x) => x.doc.number === e.origin).doc, e });
  const firstPick = rng.pick(cands);
  const picks = [firstPick];
  const more = cands.filter((c) => c.d === firstPick.d && c.e !== firstPick.e);
  if (more.length && rng.chance(0.3)) picks.push(rng.pick(more));
  const src = firstPick.d;
  const form = rng.pick(['C1', 'C2', 'C3', 'C4']);
  doc.style = form;
  doc.citation = fmtCitation(doc.volume, doc.startPage, doc.date);
  const addOwn = rng.chance(0.5);
  const quote = rng.chance(0.5) ? ['"', '"'] : ['\u201c', '\u201d'];
  const q = (n) => `${quote[0]}${n}${quote[1]}`;
  const rows = [];
  const changes = [];
  const whats = [];
  const amdpars = [];
  const page = src.startPage + rng.int(0, Math.max(0, src.endPage - src.startPage));
  picks.forEach((p, i) => {
    const r = correctEntry(p.e, rng, addressPool, doc.citation, addOwn);
    r.entry.origin = p.e.origin;
    r.entry._corrected = true;
    whats.push({ e: p.e, what: r.what });
    rows.push({ country: p.e.country, entry: r.entry, form: chooseForm(r.entry, rng, 'new') });
    changes.push({ action: 'correct', country: p.e.country, entry: stripHidden(r.entry) });
    state.set(key(p.e.country, p.e.name), r.entry);
    const dTitle = destTitle(p.e.country);
    const n = picks.length > 1 ? `${String.fromCharCode(97 + i)}. ` : '2. ';
    if (form === 'C1')
      amdpars.push(
        `${n}In FR Doc. ${src.number}, appearing on page ${page} in the Federal Register of ${weekdayLongDate(src.date)}, Supplement No. 4 to part 744 is corrected by revising under ${dTitle} the entry for ${q(p.e.name)} to read as follows:`,
      );
    else if (form === 'C2')
      amdpars.push(
        `${n}In supplement no. 4 to part 744, under ${p.e.country}, the entry for ${q(p.e.name)}, published at ${src.volume} FR ${src.startPage} on ${longDate(src.date)}, is corrected to read as follows:`,
      );
    else if (form === 'C3')
      amdpars.push(
        `${n}In rule FR Doc. ${src.number}, published at ${src.volume} FR ${src.startPage} on ${longDate(src.date)}, on page ${page}, in supplement no. 4 to part 744, the entry under ${dTitle} for ${q(p.e.name)} is corrected to read as follows:`,
      );
    else
      amdpars.push(
        `${picks.length > 1 ? n : ''}On page ${page}, in the ${rng.pick(['first', 'second', 'third'])} column, in supplement no. 4 to part 744, under ${p.e.country}, correct the entry for ${q(p.e.name)} to read as follows:`,
      );
  });
  if (form === 'C4')
    amdpars.unshift(
      `2. In rule FR Doc. ${src.number}, published in the Federal Register on ${longDate(src.date)} (${src.volume} FR ${src.startPage}), make the following ${picks.length > 1 ? 'corrections' : 'correction'}:`,
    );
  else if (picks.length > 1) amdpars.unshift('2. Supplement No. 4 to part 744 is corrected as follows:');
  rows.sort((a, b) => a.country.localeCompare(b.country) || a.entry.name.localeCompare(b.entry.name));
  const srcSubject = elDocs.find((x) => x.doc === src).subject;
  const bg = `On ${longDate(src.date)}, the Bureau of Industry and Security (BIS) published a final rule that amended the Export Administration Regulations (EAR) by revising the Entity List. That rule contained ${picks.length > 1 ? 'errors in the entries' : 'an error in the entry'} for ${andList(whats.map((w) => `${w.e.name} under ${destTitle(w.e.country)}`))}. This document corrects ${picks.length > 1 ? 'those errors' : 'that error'}.`;
  const reg = regtextBlocks([{ amdpars, rows }], rng, 'new');
  const signed = addDays(doc.date, -rng.int(2, 7));
  const docket = `${signed.slice(2, 4)}${signed.slice(5, 7)}${signed.slice(8, 10)}-${String(rng.int(1, 199)).padStart(4, '0')}`;
  const action = rng.pick(['Final rule; correction.', 'Correcting amendment.']);
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<RULE>',
    preamble({
      start: doc.startPage,
      agency: 'DEPARTMENT OF COMMERCE',
      subagy: 'Bureau of Industry and Security',
      cfr: '15 CFR Part 744',
      depdoc: `[Docket No. ${dashed(docket, doc.date)}]`,
      rin: null,
      subject: `${srcSubject}; Correction`,
      action,
      summary: bg,
      dates: `This correction is effective ${longDate(doc.date)}.`,
      contact: ERC_CONTACT,
    }),
    '<SUPLINF>',
    '<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>',
    '<HD SOURCE="HD1">Background</HD>',
    `<P>${esc(bg)}</P>`,
    `<P>In that rule (${src.volume} FR ${src.startPage}), ${whats.map((w) => `the entry for ${esc(w.e.name)} ${w.what}`).join('; ')}. This correction revises ${picks.length > 1 ? 'the entries' : 'the entry'} so that ${picks.length > 1 ? 'they read' : 'it reads'} as the ERC intended.</P>`,
    lstsub744(),
    `<P>Accordingly, part 744 of the Export Administration Regulations (15 CFR parts 730 through 774) is corrected by making the following correcting amendment:</P>`,
    part744(doc.date),
    reg.xml,
    sigBlock(signed, signer(doc.date)),
    '</SUPLINF>',
    tail(doc, '3510-33-P'),
    '</RULE>',
    '',
  ].join('\n');
  const placed = placePageMarks(body, doc.startPage, 3800);
  doc.endPage = placed.endPage;
  doc.layout = rng.chance(INDENT_SHARE) ? 'gpo-indent' : 'compact';
  if (doc.layout === 'gpo-indent') placed.xml = gpoIndent(placed.xml);
  for (const f of reg.forms)
    meta.changes.push({
      doc: doc.number,
      action: 'correct',
      country: f.row.country,
      name: f.row.entry.name,
      style: form,
      suplinfMode: 'n/a',
      cell: f.forms,
      fka: f.row.entry._fka ?? 0,
      aliases: f.row.entry.aliases.length,
      addresses: f.row.entry.addresses.length,
      nameQuotedInInstruction: true,
      ambiguous: null,
    });
  meta.docs.push({
    number: doc.number,
    date: doc.date,
    kind: 'correction',
    style: form,
    layout: doc.layout,
    addsOwnCitation: addOwn,
    instructions: amdpars.join(' '),
  });
  return {
    xml: placed.xml,
    expected: { documentNumber: doc.number, isEntityListChange: true, changes },
    apiInfo: {
      title: `${srcSubject}; Correction`,
      action,
      abstract: bg,
      dates: `This correction is effective ${longDate(doc.date)}.`,
      docket: `Docket No. ${docket}`,
      rin: null,
      signed,
      agencies: 'bis',
      cfr: [{ title: 15, part: 744 }],
      topics: ['Exports', 'Reporting and recordkeeping requirements', 'Terrorism'],
    },
  };
}

// ---------- negatives ----------

function negativeDoc(doc, rng, meta) {
  const which = rng.pick(['bis-744.21', 'bis-744.11', 'ofac', 'state']);
  doc.style = which;
  const signed = addDays(doc.date, -rng.int(3, 9));
  const docket = `${signed.slice(2, 4)}${signed.slice(5, 7)}${signed.slice(8, 10)}-${String(rng.int(1, 199)).padStart(4, '0')}`;
  let pre;
  let sup;
  let billing;
  let apiInfo;
  if (which.startsWith('bis')) {
    const sect = which === 'bis-744.21' ? '744.21' : '744.11';
    const subject =
      sect === '744.21'
        ? rng.pick([
            'Clarification of License Requirements for Military End Uses Under § 744.21',
            'Expansion of Military End Use and End User Controls Under § 744.21',
          ])
        : 'Revision of the Criteria for Additions to the Entity List Under § 744.11';
    const summary =
      sect === '744.21'
        ? 'This rule amends the Export Administration Regulations (EAR) by revising the license requirement in § 744.21 for exports, reexports, and transfers (in-country) of items for a military end use or military end user in the People\u2019s Republic of China, Russia, or Venezuela. This rule does not add, revise, or remove any entries on the Entity List.'
        : 'This rule amends the Export Administration Regulations (EAR) by clarifying the criteria the End-User Review Committee applies when it adds entities to the Entity List (supplement no. 4 to part 744). This rule does not itself add, revise, or remove any entry on the Entity List.';
    pre = preamble({
      start: doc.startPage,
      agency: 'DEPARTMENT OF COMMERCE',
      subagy: 'Bureau of Industry and Security',
      cfr: '15 CFR Part 744',
      depdoc: `[Docket No. ${dashed(docket, doc.date)}]`,
      rin: `RIN ${dashed(`0694-AH${rng.int(10, 99)}`, doc.date)}`,
      subject,
      action: 'Final rule.',
      summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      contact:
        'Office of Nonproliferation and Treaty Compliance, Bureau of Industry and Security, Department of Commerce, Phone: (202) 482-4188.',
    });
    const amd =
      sect === '744.21'
        ? `2. ${rng.pick(['Section 744.21 is amended', 'Amend § 744.21'])} by revising paragraph (a) introductory text to read as follows:`
        : '2. Amend § 744.11 by revising paragraph (b) introductory text to read as follows:';
    const secText =
      sect === '744.21'
        ? '<P>(a) <E T="03">General prohibition.</E> In addition to the license requirements for items specified on the CCL, you may not export, reexport, or transfer (in-country) any item subject to the EAR listed in supplement no. 2 to this part without a license from BIS if, at the time of the export, reexport, or transfer (in-country), you have \u201cknowledge\u201d that the item is intended, entirely or in part, for a \u201cmilitary end use\u201d or \u201cmilitary end user.\u201d Entities listed on the Entity List (supplement no. 4 to this part) remain subject to the license requirements stated in their entries.</P>'
        : '<P>(b) <E T="03">Criteria for revising the Entity List.</E> Entities for which there is reasonable cause to believe, based on specific and articulable facts, that the entity has been involved, is involved, or poses a significant risk of being or becoming involved in activities that are contrary to the national security or foreign policy interests of the United States, along with entities acting on behalf of such entities, may be added to the Entity List (supplement no. 4 to this part) pursuant to this section.</P>';
    sup = [
      '<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>',
      '<HD SOURCE="HD1">Background</HD>',
      `<P>Section ${sect} of the EAR ${sect === '744.21' ? 'imposes a license requirement on items listed in supplement no. 2 to part 744 when the exporter has knowledge that the item is intended for a military end use or military end user' : 'sets out the criteria for adding entities to the Entity List'}. Separately, supplement no. 4 to part 744 (the Entity List) identifies specific parties subject to license requirements; this rule makes no changes to the Entity List and does not add, revise, or remove any entry under any destination, including China, Russia, and Venezuela.</P>`,
      lstsub744(),
      `<P>For the reasons stated in the preamble, part 744 of the Export Administration Regulations (15 CFR parts 730${doc.date < '2024-03-01' ? '\u2013' : '-'}774) is amended as follows:</P>`,
      part744(doc.date),
      '<REGTEXT TITLE="15" PART="744">',
      `<AMDPAR>${esc(amd)}</AMDPAR>`,
      '<SECTION>',
      `<SECTNO>§ ${sect}</SECTNO>`,
      `<SUBJECT>${sect === '744.21' ? 'Restrictions on certain military end uses or military end users.' : 'License requirements that apply to entities acting or at significant risk of acting contrary to the national security or foreign policy interests of the United States.'}</SUBJECT>`,
      secText,
      '<STARS/>',
      '</SECTION>',
      '</REGTEXT>',
      sigBlock(signed, signer(doc.date)),
    ].join('\n');
    billing = '3510-33-P';
    apiInfo = {
      title: subject,
      action: 'Final rule.',
      abstract: summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      docket: `Docket No. ${docket}`,
      rin: null,
      signed,
      agencies: 'bis',
      cfr: [{ title: 15, part: 744 }],
      topics: ['Exports', 'Reporting and recordkeeping requirements', 'Terrorism'],
    };
  } else if (which === 'ofac') {
    const summary =
      "The Department of the Treasury's Office of Foreign Assets Control (OFAC) is amending the Ukraine-/Russia-Related Sanctions Regulations to add a general license authorizing certain transactions and to make technical amendments. Persons on the Department of Commerce Entity List are not thereby blocked.";
    pre = preamble({
      start: doc.startPage,
      agency: 'DEPARTMENT OF THE TREASURY',
      subagy: 'Office of Foreign Assets Control',
      cfr: '31 CFR Part 589',
      depdoc: null,
      rin: null,
      subject: 'Ukraine-/Russia-Related Sanctions Regulations',
      action: 'Final rule.',
      summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      contact:
        "OFAC's Applied Regulations Division, 202-622-4855; or Assistant Director for Sanctions Compliance & Evaluation, 202-622-2490.".replace(
          '&',
          '&amp;',
        ),
    });
    sup = [
      '<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>',
      '<HD SOURCE="HD1">Background</HD>',
      `<P>${esc(summary)}</P>`,
      '<PART>',
      '<HD SOURCE="HED">PART 589\u2014UKRAINE-/RUSSIA-RELATED SANCTIONS REGULATIONS</HD>',
      '</PART>',
      '<REGTEXT TITLE="31" PART="589">',
      '<AMDPAR>1. The authority citation for part 589 continues to read as follows:</AMDPAR>',
      '<AUTH>',
      '<HD SOURCE="HED">Authority:</HD>',
      '<P>3 U.S.C. 301; 22 U.S.C. 9501 <E T="03">et seq.</E>; 50 U.S.C. 1601-1651, 1701-1706; E.O. 13660, 79 FR 13493, 3 CFR, 2014 Comp., p. 226.</P>',
      '</AUTH>',
      '</REGTEXT>',
      '<REGTEXT TITLE="31" PART="589">',
      '<AMDPAR>2. Amend § 589.201 by revising the note to paragraph (a) to read as follows:</AMDPAR>',
      '<SECTION>',
      '<SECTNO>§ 589.201</SECTNO>',
      '<SUBJECT>Prohibited transactions.</SUBJECT>',
      '<STARS/>',
      '<NOTE>',
      '<HD SOURCE="HED">Note 1 to paragraph (a):</HD>',
      '<P>The names of persons whose property and interests in property are blocked pursuant to this section are published in the <E T="04">Federal Register</E> and incorporated into OFAC\u2019s Specially Designated Nationals and Blocked Persons List (SDN List). Entities on the Department of Commerce Entity List, including those added under Russia and Ukraine, are not thereby blocked.</P>',
      '</NOTE>',
      '</SECTION>',
      '</REGTEXT>',
      sigBlock(signed, ['Andrea M. Gacki,', 'Director, Office of Foreign Assets Control.']),
    ].join('\n');
    billing = '4810-AL-P';
    apiInfo = {
      title: 'Ukraine-/Russia-Related Sanctions Regulations',
      action: 'Final rule.',
      abstract: summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      docket: `Docket ID OFAC-${doc.date.slice(0, 4)}-0001`,
      rin: null,
      signed,
      agencies: 'ofac',
      cfr: [{ title: 31, part: 589 }],
      topics: ['Exports', 'Foreign trade'],
    };
  } else {
    const summary =
      'The Department of State is amending the International Traffic in Arms Regulations (ITAR) to update the policy of denial for certain destinations in § 126.1. Parties listed on the Department of Commerce Entity List remain subject to the Export Administration Regulations.';
    pre = preamble({
      start: doc.startPage,
      agency: 'DEPARTMENT OF STATE',
      subagy: null,
      cfr: '22 CFR Part 126',
      depdoc: `[Public Notice: ${rng.int(10000, 12999)}]`,
      rin: `RIN ${dashed(`1400-AF${rng.int(10, 99)}`, doc.date)}`,
      subject: 'International Traffic in Arms Regulations: Updates to the Policy of Denial in § 126.1',
      action: 'Final rule.',
      summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      contact: 'Directorate of Defense Trade Controls, Department of State, telephone (202) 663-1282.',
    });
    sup = [
      '<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>',
      '<HD SOURCE="HD1">Background</HD>',
      `<P>${esc(summary)}</P>`,
      '<LSTSUB>',
      '<HD SOURCE="HED">List of Subjects in 22 CFR Part 126</HD>',
      '<P>Arms and munitions, Exports.</P>',
      '</LSTSUB>',
      '<PART>',
      '<HD SOURCE="HED">PART 126\u2014GENERAL POLICIES AND PROVISIONS</HD>',
      '</PART>',
      '<REGTEXT TITLE="22" PART="126">',
      '<AMDPAR>1. The authority citation for part 126 continues to read as follows:</AMDPAR>',
      '<AUTH>',
      '<HD SOURCE="HED">Authority:</HD>',
      '<P>22 U.S.C. 287c, 2651a, 2752, 2753, 2776, 2778, 2779, 2779a, 2780, 2791, 2797; 22 U.S.C. 2651a; 22 U.S.C. 8142.</P>',
      '</AUTH>',
      '</REGTEXT>',
      '<REGTEXT TITLE="22" PART="126">',
      '<AMDPAR>2. Amend § 126.1 by revising paragraph (d)(2) to read as follows:</AMDPAR>',
      '<SECTION>',
      '<SECTNO>§ 126.1</SECTNO>',
      '<SUBJECT>Prohibited exports, imports, and sales to or from certain countries.</SUBJECT>',
      '<STARS/>',
      '<P>(d)(2) A policy of denial applies to exports to China, Russia, and Belarus, except as provided in this paragraph.</P>',
      '</SECTION>',
      '</REGTEXT>',
      sigBlock(signed, [
        'Bonnie D. Jenkins,',
        'Under Secretary, Arms Control and International Security, Department of State.',
      ]),
    ].join('\n');
    billing = '4710-25-P';
    apiInfo = {
      title: 'International Traffic in Arms Regulations: Updates to the Policy of Denial in § 126.1',
      action: 'Final rule.',
      abstract: summary,
      dates: `This rule is effective ${longDate(doc.date)}.`,
      docket: null,
      rin: null,
      signed,
      agencies: 'state',
      cfr: [{ title: 22, part: 126 }],
      topics: ['Arms and munitions', 'Exports'],
    };
  }
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<RULE>',
    pre,
    '<SUPLINF>',
    sup,
    '</SUPLINF>',
    tail(doc, billing),
    '</RULE>',
    '',
  ].join('\n');
  const placed = placePageMarks(body, doc.startPage, 3800);
  doc.endPage = placed.endPage;
  doc.layout = rng.chance(INDENT_SHARE) ? 'gpo-indent' : 'compact';
  if (doc.layout === 'gpo-indent') placed.xml = gpoIndent(placed.xml);
  meta.docs.push({ number: doc.number, date: doc.date, kind: 'negative', style: which, layout: doc.layout });
  return {
    xml: placed.xml,
    expected: { documentNumber: doc.number, isEntityListChange: false, changes: [] },
    apiInfo,
  };
}

// ---------- API JSON ----------

const AGENCIES = {
  bis: [
    {
      raw_name: 'DEPARTMENT OF COMMERCE',
      name: 'Commerce Department',
      id: 54,
      parent_id: null,
      slug: 'commerce-department',
    },
    {
      raw_name: 'Bureau of Industry and Security',
      name: 'Industry and Security Bureau',
      id: 241,
      parent_id: 54,
      slug: 'industry-and-security-bureau',
    },
  ],
  ofac: [
    {
      raw_name: 'DEPARTMENT OF THE TREASURY',
      name: 'Treasury Department',
      id: 497,
      parent_id: null,
      slug: 'treasury-department',
    },
    {
      raw_name: 'Office of Foreign Assets Control',
      name: 'Foreign Assets Control Office',
      id: 203,
      parent_id: 497,
      slug: 'foreign-assets-control-office',
    },
  ],
  state: [
    {
      raw_name: 'DEPARTMENT OF STATE',
      name: 'State Department',
      id: 476,
      parent_id: null,
      slug: 'state-department',
    },
  ],
};

function apiJson(doc, info) {
  const [y, m, d] = doc.date.split('-');
  const slug = info.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
  const agencies = AGENCIES[info.agencies].map((a) => ({
    raw_name: a.raw_name,
    name: a.name,
    id: a.id,
    url: `https://www.federalregister.gov/agencies/${a.slug}`,
    json_url: `https://www.federalregister.gov/api/v1/agencies/${a.id}`,
    parent_id: a.parent_id,
    slug: a.slug,
  }));
  const abstract = info.abstract;
  return {
    abstract,
    action: info.action,
    agencies,
    agency_names: agencies.map((a) => a.name),
    body_html_url: `/documents/full_text/html/${y}/${m}/${d}/${doc.number}.html`,
    cfr_references: info.cfr.map((c) => ({
      chapter: null,
      citation_url: null,
      part: c.part,
      title: c.title,
    })),
    citation: `${doc.volume} FR ${doc.startPage}`,
    comment_url: null,
    comments_close_on: null,
    correction_of: null,
    corrections: [],
    dates: info.dates,
    disposition_notes: null,
    docket_id: info.docket,
    docket_ids: info.docket ? [info.docket] : [],
    dockets: [],
    document_number: doc.number,
    effective_on: doc.date,
    end_page: doc.endPage,
    excerpts: abstract.length > 250 ? `${abstract.slice(0, abstract.lastIndexOf(' ', 250))}...` : abstract,
    executive_order_notes: null,
    executive_order_number: null,
    full_text_xml_url: `/documents/full_text/xml/${y}/${m}/${d}/${doc.number}.xml`,
    html_url: `/documents/${y}/${m}/${d}/${doc.number}/${slug}`,
    images: {},
    images_metadata: {},
    json_url: `/api/v1/documents/${doc.number}?publication_date=${doc.date}`,
    mods_url: `/metadata/granule/FR-${doc.date}/${doc.number}/mods.xml`,
    page_length: doc.endPage - doc.startPage + 1,
    page_views: { count: 0, last_updated: null },
    pdf_url: `/content/pkg/FR-${doc.date}/pdf/${doc.number}.pdf`,
    president: president(doc.date),
    presidential_document_number: null,
    proclamation_number: null,
    public_inspection_pdf_url: `/public-inspection/${doc.number}.pdf`,
    publication_date: doc.date,
    raw_text_url: `/documents/full_text/text/${y}/${m}/${d}/${doc.number}.txt`,
    regulation_id_number_info: info.rin
      ? {
          [info.rin]: {
            issue: null,
            html_url: `/regulations/${info.rin}`,
            title: info.title,
            xml_url: null,
            priority_category: 'Other Significant',
          },
        }
      : {},
    regulation_id_numbers: info.rin ? [info.rin] : [],
    regulations_dot_gov_info: {},
    regulations_dot_gov_url: null,
    significant: null,
    signing_date: info.signed,
    start_page: doc.startPage,
    subtype: null,
    title: info.title,
    toc_doc: info.title,
    toc_subject: null,
    topics: info.topics,
    type: 'Rule',
    volume: doc.volume,
  };
}

function writeSearchPages(out, docs) {
  const newest = [...docs].reverse();
  const per = 10;
  const pages = Math.max(1, Math.ceil(newest.length / per));
  const base =
    '/api/v1/documents?conditions%5Bagencies%5D%5B%5D=industry-and-security-bureau&conditions%5Bcfr%5D%5Btitle%5D=15&conditions%5Bcfr%5D%5Bpart%5D=744&conditions%5Btype%5D%5B%5D=RULE&order=newest&per_page=10';
  for (let p = 1; p <= pages; p++) {
    const page = {
      count: newest.length,
      description: 'Documents of type Rule (constructed holdout corpus; see scripts/holdout/README.md)',
      total_pages: pages,
    };
    if (p < pages) page.next_page_url = `${base}&page=${p + 1}`;
    if (p > 1) page.previous_page_url = `${base}&page=${p - 1}`;
    page.results = newest.slice((p - 1) * per, p * per).map((d) => d.api);
    writeFileSync(join(out, 'api', `search-page-${p}.json`), `${JSON.stringify(page, null, 2)}\n`);
  }
}

main();
