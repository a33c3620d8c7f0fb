import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { extractFromXml } from '../src/entity-list/extract.js';
import { peakRssMb, percentile, type Benchmark, type BenchRow } from './harness.js';

/**
 * Extraction throughput against a bare fast-xml-parser parse of the same bytes (default options),
 * measured alternately in the same run so both see the same machine state. The ratio is
 * extraction time ÷ bare parse time; the goal is ≤ 1.25.
 */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures');

function inputs(): Array<{ name: string; files: Buffer[] }> {
  const docsDir = join(FIXTURES, 'corpus', 'dev', 'docs');
  return [
    {
      name: 'daily issue FR-2024-02-12 (2.5 MB, 96 docs)',
      files: [readFileSync(join(FIXTURES, 'real', 'fr-xml', 'FR-2024-02-12.xml'))],
    },
    {
      name: 'dev corpus (15 rules, 0.5 MB)',
      files: readdirSync(docsDir)
        .filter((f) => f.endsWith('.xml'))
        .map((f) => readFileSync(join(docsDir, f))),
    },
  ];
}

function measure(files: Buffer[], fn: (b: Buffer) => unknown): number {
  const t0 = process.hrtime.bigint();
  for (const f of files) fn(f);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const benchmark: Benchmark = {
  name: 'extraction',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const input of inputs()) {
      const bytes = input.files.reduce((n, f) => n + f.byteLength, 0);
      const bare = (b: Buffer): unknown => new XMLParser().parse(b);
      const ours = (b: Buffer): unknown => extractFromXml(b);
      for (let i = 0; i < 5; i++) {
        measure(input.files, bare);
        measure(input.files, ours);
      }
      const bareMs: number[] = [];
      const oursMs: number[] = [];
      const iterations = bytes > 1_000_000 ? 20 : 60;
      for (let i = 0; i < iterations; i++) {
        // Alternate the order so neither side always runs right after a GC of the other's garbage.
        if (i % 2 === 0) {
          bareMs.push(measure(input.files, bare));
          oursMs.push(measure(input.files, ours));
        } else {
          oursMs.push(measure(input.files, ours));
          bareMs.push(measure(input.files, bare));
        }
      }
      const bareMed = percentile(bareMs, 50);
      const oursMed = percentile(oursMs, 50);
      const mb = bytes / 1024 / 1024;
      rows.push(
        {
          group: 'extraction',
          name: `bare XMLParser.parse: ${input.name}`,
          value: mb / (bareMed / 1000),
          unit: 'MB/s',
        },
        {
          group: 'extraction',
          name: `extractFromXml: ${input.name}`,
          value: mb / (oursMed / 1000),
          unit: 'MB/s',
          ratio: oursMed / bareMed,
          goal: 'time ratio ≤ 1.25',
          note: `median ${oursMed.toFixed(1)} ms vs ${bareMed.toFixed(1)} ms`,
        },
      );
    }
    rows.push({
      group: 'extraction',
      name: 'peak RSS after extraction runs',
      value: peakRssMb(),
      unit: 'MB',
    });
    return rows;
  },
};
