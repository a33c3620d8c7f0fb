import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { FtmEntity } from '../../src/exports/ftm.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { referenceRun } from '../support/reference.js';

/** The built CLI as users run it: `fedreg-watch export` on the dev timeline's lists. */
const FINAL = join(DEV_CORPUS, 'final.json');
const BASELINE = join(DEV_CORPUS, 'baseline.json');
const final = readSnapshot(FINAL);

describe('fedreg-watch export', () => {
  it('prints the three formats, deterministically', async () => {
    const csv = await runCli(['export', '--state', FINAL, '--format', 'csl-csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(parse(csv.stdout, { columns: true })).toHaveLength(final.entries.length);
    const json = await runCli(['export', '--state', FINAL, '--format', 'csl-json']);
    expect((JSON.parse(json.stdout) as { results: unknown[] }).results).toHaveLength(final.entries.length);
    const [a, b] = await Promise.all([
      runCli(['export', '--state', FINAL, '--format', 'ftm']),
      runCli(['export', '--state', FINAL, '--format', 'ftm']),
    ]);
    expect(a.stdout).toBe(b.stdout);
    const entities = a.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FtmEntity);
    expect(entities.filter((e) => e.schema === 'Sanction')).toHaveLength(final.entries.length);
  });

  it('goes back to a date with the events `apply --events` wrote, and says what changed since one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-export-'));
    const events = join(dir, 'events.jsonl');
    const reference = referenceRun();
    writeFileSync(events, reference.events.map((e) => JSON.stringify(e)).join('\n'));
    const rows = async (date: string) => {
      const res = await runCli([
        'export',
        '--state',
        BASELINE,
        '--events',
        events,
        '--format',
        'csl-json',
        '--as-of',
        date,
      ]);
      expect(res.code, res.stderr).toBe(0);
      return (JSON.parse(res.stdout) as { results: Array<{ name: string }> }).results.map((r) => r.name);
    };
    const before = await rows('2019-10-08');
    const after = await rows('2019-10-09');
    expect(before).not.toContain('Dahua Technology');
    expect(after).toContain('Dahua Technology');
    expect((await rows('2030-01-01')).length).toBe(reference.state.entries.length);
    const delta = await runCli([
      'export',
      ...['--state', BASELINE, '--events', events, '--format', 'ftm-delta'],
      ...['--since', '2019-10-08', '--as-of', '2019-10-09', '--country', 'China'],
    ]);
    expect(delta.code, delta.stderr).toBe(0);
    const ops = delta.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { op: string; entity: FtmEntity });
    const added = ops.filter((o) => o.op === 'ADD' && o.entity.schema !== 'Sanction');
    expect(added.map((o) => o.entity.properties.name![0])).toContain('Dahua Technology');
    expect(added.every((o) => o.entity.properties.country![0] === 'cn')).toBe(true);
  });

  it('refuses bad input with a message and the usage exit codes', async () => {
    const badDate = await runCli(['export', '--state', FINAL, '--format', 'ftm', '--as-of', '2020-02-30']);
    expect(badDate.code).toBe(64);
    expect(badDate.stderr).toContain('--as-of=2020-02-30');
    const badFormat = await runCli(['export', '--state', FINAL, '--format', 'xlsx']);
    expect(badFormat.code).toBe(64);
    const missing = await runCli(['export', '--state', '/nonexistent.json', '--format', 'ftm']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent.json');
    const early = await runCli(['export', '--state', FINAL, '--format', 'ftm', '--as-of', '2000-01-01']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain("before the snapshot's date");
  });
});
