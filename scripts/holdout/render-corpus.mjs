// Renders a corpus (docs/, api/, expected/, baseline.json, final.json) in the layout of real
// Entity List rules, pretty-printed or compact (real-layout.mjs); everything but docs/ is copied.
//
//   node scripts/holdout/render-corpus.mjs --corpus test/fixtures/corpus/dev --layout real-pretty --out /tmp/dev-real-pretty
//   python3 ../shared/tools/grade.py extract /tmp/dev-real-pretty

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRealLayout } from './real-layout.mjs';
import { fnv1a } from './rng.mjs';

const args = new Map();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i], process.argv[i + 1]);
const corpus = args.get('--corpus');
const layout = args.get('--layout') ?? 'real-pretty';
const out = args.get('--out');
if (!corpus || !out || !['real-pretty', 'real-compact'].includes(layout)) {
  console.error('usage: render-corpus.mjs --corpus DIR --out DIR [--layout real-pretty|real-compact]');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'docs'), { recursive: true });
for (const f of readdirSync(corpus))
  if (f !== 'docs') cpSync(join(corpus, f), join(out, f), { recursive: true });
for (const f of readdirSync(join(corpus, 'docs')).filter((x) => x.endsWith('.xml'))) {
  const number = f.slice(0, -4);
  const apiPath = join(corpus, 'api', `${number}.json`);
  const api = existsSync(apiPath) ? JSON.parse(readFileSync(apiPath, 'utf8')) : {};
  const xml = readFileSync(join(corpus, 'docs', f), 'utf8');
  writeFileSync(
    join(out, 'docs', f),
    renderRealLayout(xml, {
      pretty: layout === 'real-pretty',
      citation: api.citation ?? null,
      publicationDate: api.publication_date,
      variant: fnv1a(number) % 8,
    }),
  );
}
