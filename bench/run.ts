import type { Benchmark, BenchRow } from './harness.js';

/**
 * `npm run bench`: runs every benchmark in this process, one after another, and prints one table.
 * Pass names to run a subset: `npm run bench -- extraction webhooks`.
 */
const ALL: Array<() => Promise<{ benchmark: Benchmark }>> = [
  () => import('./extraction.js'),
  () => import('./apply-diff.js'),
  () => import('./fr-client.js'),
  () => import('./pipeline.js'),
  () => import('./webhooks.js'),
  () => import('./ecfr.js'),
  () => import('./exports.js'),
  () => import('./dead-letters.js'),
];

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

async function main(): Promise<void> {
  const only = new Set(process.argv.slice(2));
  const rows: BenchRow[] = [];
  for (const load of ALL) {
    const { benchmark } = await load();
    if (only.size > 0 && !only.has(benchmark.name)) continue;
    process.stderr.write(`running ${benchmark.name}…\n`);
    rows.push(...(await benchmark.run()));
  }
  const header = ['group', 'measure', 'value', 'unit', 'ratio', 'goal', 'note'];
  const table = rows.map((r) => [
    r.group,
    r.name,
    format(r.value),
    r.unit,
    r.ratio === undefined ? '' : format(r.ratio),
    r.goal ?? '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
