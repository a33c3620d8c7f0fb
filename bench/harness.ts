/**
 * Tiny benchmark harness: every benchmark returns rows, `bench/run.ts` prints them as one table.
 * Ratios are always of two figures measured side by side in the same run, never against a
 * number remembered from another machine.
 */
export interface BenchRow {
  /** Section of the table, e.g. "extraction", "apply/diff", "webhooks". */
  group: string;
  /** What was measured. */
  name: string;
  value: number;
  unit: string;
  /** Ratio against the side-by-side baseline, where there is one. */
  ratio?: number;
  /** The goal the issue sets, printed next to the figure (e.g. "ratio ≤ 1.25"). */
  goal?: string;
  note?: string;
}

export interface Benchmark {
  name: string;
  run(): Promise<BenchRow[]>;
}

/** Median wall time in ms of `fn` over `iterations` runs after `warmup` runs. */
export async function timeIt(
  fn: () => unknown,
  iterations = 10,
  warmup = 2,
): Promise<{ median: number; p99: number; all: number[] }> {
  for (let i = 0; i < warmup; i++) await fn();
  const all: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    all.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { median: percentile(all, 50), p99: percentile(all, 99), all };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Peak RSS of this process so far, in MB (Linux reports maxRSS in KB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
