#!/usr/bin/env node
// Lists every extraction and apply mismatch on a holdout corpus (grade.py prints only the first 30),
// joined with what the generator recorded about each change (instruction style, SUPLINF mode, cell
// forms, ambiguity). Uses the same normalisation as shared/tools/grade.py.
//
//   node scripts/holdout/compare.mjs /tmp/holdout-7 [--json out.json] [--cli "node dist/src/cli.js"]

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function norm(s) {
  if (s === null || s === undefined) return '';
  let t = String(s).normalize('NFKC');
  t = t.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"');
  t = t.replace(/[\u2010-\u2015\u2212]/g, '-');
  t = t.replace(/\s+/g, ' ').trim();
  t = t.replace(/^[-\s]+/, '');
  t = t.replace(/[\s.;,:]+$/, '');
  t = t.replace(/^and\s+/i, '');
  return t.toLowerCase();
}
const normList = (xs) => (xs ?? []).map(norm).filter((x) => x);
const FIELDS = [
  'aliases',
  'addresses',
  'licenseRequirement',
  'licenseReviewPolicy',
  'federalRegisterCitations',
];
function fieldEq(f, a, b) {
  if (['aliases', 'addresses', 'federalRegisterCitations'].includes(f))
    return JSON.stringify(normList(a)) === JSON.stringify(normList(b));
  return norm(a) === norm(b);
}

function args() {
  const a = process.argv.slice(2);
  const o = { corpus: null, json: null, cli: `node ${join(REPO, 'dist/src/cli.js')}` };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--json') o.json = a[++i];
    else if (a[i] === '--cli') o.cli = a[++i];
    else o.corpus = resolve(a[i]);
  }
  if (!o.corpus) throw new Error('usage: compare.mjs CORPUS [--json out.json] [--cli CMD]');
  return o;
}

function run(cli, argv) {
  const [cmd, ...pre] = cli.split(' ');
  try {
    return {
      code: 0,
      out: execFileSync(cmd, [...pre, ...argv], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (e) {
    return { code: e.status ?? 1, out: String(e.stdout ?? ''), err: String(e.stderr ?? '') };
  }
}

function main() {
  const o = args();
  const read = (p) => JSON.parse(readFileSync(join(o.corpus, p), 'utf8'));
  const meta = existsSync(join(o.corpus, 'holdout-meta.json'))
    ? read('holdout-meta.json')
    : { docs: [], changes: [] };
  const metaKey = (doc, action, country, name) => `${doc}|${norm(action)}|${norm(country)}|${norm(name)}`;
  const metaBy = new Map(meta.changes.map((c) => [metaKey(c.doc, c.action, c.country, c.name), c]));
  const docMeta = new Map(meta.docs.map((d) => [d.number, d]));
  const docs = readdirSync(join(o.corpus, 'docs'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .map((n) => ({ n, date: read(`api/${n}.json`).publication_date }))
    .sort((a, b) => (a.date + a.n < b.date + b.n ? -1 : 1));
  const mismatches = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let fieldsOk = 0;
  let fieldsAll = 0;
  for (const { n } of docs) {
    const exp = read(`expected/${n}.json`);
    const r = run(o.cli, ['extract', join(o.corpus, 'docs', `${n}.xml`)]);
    const line = r.out.split('\n').find((l) => l.trim().startsWith('{'));
    const got = line ? JSON.parse(line) : null;
    const dm = docMeta.get(n) ?? {};
    if (!got) {
      mismatches.push({
        doc: n,
        kind: 'exit',
        detail: `${r.code} ${(r.err ?? '').slice(0, 300)}`,
        docMeta: dm,
      });
      fn += exp.changes.length;
      continue;
    }
    if (Boolean(got.isEntityListChange) !== Boolean(exp.isEntityListChange))
      mismatches.push({
        doc: n,
        kind: 'flag',
        want: exp.isEntityListChange,
        got: got.isEntityListChange,
        docMeta: dm,
      });
    const keyed = (cs) => {
      const m = new Map();
      for (const c of cs ?? []) m.set(`${norm(c.action)}|${norm(c.country)}|${norm(c.entry?.name)}`, c);
      return m;
    };
    const ek = keyed(exp.changes);
    const gk = keyed(got.changes);
    for (const [k, c] of ek) {
      const cm = metaBy.get(metaKey(n, c.action, c.country, c.entry.name)) ?? null;
      if (gk.has(k)) {
        tp++;
        if (c.action === 'remove') continue;
        for (const f of FIELDS) {
          fieldsAll++;
          if (fieldEq(f, c.entry[f], gk.get(k).entry?.[f])) fieldsOk++;
          else
            mismatches.push({
              doc: n,
              kind: 'field',
              action: c.action,
              country: c.country,
              name: c.entry.name,
              field: f,
              want: c.entry[f],
              got: gk.get(k).entry?.[f],
              meta: cm,
              docMeta: dm,
            });
        }
      } else {
        fn++;
        mismatches.push({
          doc: n,
          kind: 'missing',
          action: c.action,
          country: c.country,
          name: c.entry.name,
          meta: cm,
          docMeta: dm,
        });
      }
    }
    for (const [k, c] of gk)
      if (!ek.has(k)) {
        fp++;
        mismatches.push({
          doc: n,
          kind: 'extra',
          action: c.action,
          country: c.country,
          name: c.entry?.name,
          got: c.entry,
          docMeta: dm,
        });
      }
  }
  // apply
  const dir = mkdtempSync(join(tmpdir(), 'holdout-apply-'));
  const ar = run(o.cli, [
    'apply',
    '--state',
    join(o.corpus, 'baseline.json'),
    '--events',
    join(dir, 'ev.jsonl'),
    ...docs.map((d) => join(o.corpus, 'docs', `${d.n}.xml`)),
  ]);
  const applyDiffs = [];
  let exact = 0;
  let total = 0;
  try {
    const got = JSON.parse(ar.out);
    const want = read('final.json');
    const k = (e) => `${norm(e.country)}|${norm(e.name)}`;
    const wk = new Map(want.entries.map((e) => [k(e), e]));
    const gk = new Map(got.entries.map((e) => [k(e), e]));
    const union = new Set([...wk.keys(), ...gk.keys()]);
    total = union.size;
    for (const key of [...union].sort()) {
      const w = wk.get(key);
      const g = gk.get(key);
      if (w && g && FIELDS.every((f) => fieldEq(f, w[f], g[f]))) exact++;
      else if (!g) applyDiffs.push({ kind: 'missing', key });
      else if (!w) applyDiffs.push({ kind: 'extra', key });
      else applyDiffs.push({ kind: 'differs', key, fields: FIELDS.filter((f) => !fieldEq(f, w[f], g[f])) });
    }
  } catch {
    applyDiffs.push({ kind: 'apply failed', detail: `${ar.code} ${(ar.err ?? '').slice(-300)}` });
  }

  const p = tp + fp ? tp / (tp + fp) : 0;
  const rc = tp + fn ? tp / (tp + fn) : 0;
  const f1 = p + rc ? (2 * p * rc) / (p + rc) : 0;
  for (const m of mismatches) {
    const cm = m.meta ?? {};
    const tag = [
      m.docMeta?.style,
      m.docMeta?.suplinfMode,
      m.docMeta?.layout,
      cm.cell &&
        `alias=${cm.cell.aliasForm} addr=${cm.cell.addrForm}${cm.cell.addrInLi ? '+li' : ''}${cm.cell.suName ? ' suName' : ''}${cm.cell.suLicense ? ' suLic' : ''}`,
      cm.fka ? 'fka' : null,
      cm.destPhrase && cm.destPhrase !== m.country ? `dest="${cm.destPhrase}"` : null,
      cm.ambiguous ? 'AMBIGUOUS' : null,
    ]
      .filter(Boolean)
      .join(' ');
    if (m.kind === 'field')
      console.log(
        `${m.doc} ${m.action} ${m.country} / ${m.name}: ${m.field}\n    want ${JSON.stringify(m.want)}\n    got  ${JSON.stringify(m.got)}\n    [${tag}]`,
      );
    else if (m.kind === 'extra') console.log(`${m.doc} EXTRA ${m.action} ${m.country} / ${m.name} [${tag}]`);
    else if (m.kind === 'missing')
      console.log(`${m.doc} MISSING ${m.action} ${m.country} / ${m.name} [${tag}]`);
    else
      console.log(
        `${m.doc} ${m.kind.toUpperCase()} ${JSON.stringify(m.want ?? m.detail)} got ${JSON.stringify(m.got ?? '')} [${tag}]`,
      );
  }
  for (const d of applyDiffs)
    console.log(`apply ${d.kind} ${d.key ?? d.detail}${d.fields ? ` in ${d.fields.join(',')}` : ''}`);
  console.log(
    `compare: F1=${f1.toFixed(3)} (P=${p.toFixed(3)} R=${rc.toFixed(3)}) fields=${(fieldsAll ? fieldsOk / fieldsAll : 0).toFixed(3)} tp=${tp} fp=${fp} fn=${fn} mismatches=${mismatches.length}; apply exact ${exact}/${total}`,
  );
  if (o.json) writeFileSync(o.json, `${JSON.stringify({ mismatches, applyDiffs, f1, p, r: rc }, null, 2)}\n`);
}

main();
