import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReplayServerArgs, replayServerCommand } from '../../src/commands/replay-server.js';
import { loadCorpus, parseFiled } from '../../src/replay/corpus.js';
import { extractedStateAt, groundTruthStateAt } from '../../src/replay/timeline.js';
import { DEV_CORPUS, readJson } from './helpers.js';

describe('replay corpus', () => {
  it('reads FRDOC filing lines, en dashes and afternoon filings included', () => {
    expect(parseFiled('[FR Doc. 2019–22210 Filed 10–7–19; 8:45 am]')).toEqual({
      date: '2019-10-07',
      hour: 8,
      minute: 45,
    });
    expect(parseFiled('[FR Doc. 2024-10314 Filed 5-6-24; 4:15 pm]')).toEqual({
      date: '2024-05-06',
      hour: 16,
      minute: 15,
    });
    expect(parseFiled('[FR Doc. 2019-22210]')).toBeUndefined();
  });

  it('loads documents from api/ (not the recorded search pages) with filing instants', async () => {
    const corpus = await loadCorpus(DEV_CORPUS);
    expect(corpus.documents).toHaveLength(15);
    expect(corpus.documents.map((d) => d.number)).not.toContain('search-page-1');
    const anchor = corpus.byKey.get('2019-22210')!;
    expect(anchor.filedAt).toMatchObject({ iso: '2019-10-07T08:45:00.000-04:00', source: 'frdoc' });
    expect(anchor.xmlUrlPath).toBe('/documents/full_text/xml/2019/10/09/2019-22210.xml');
    expect(corpus.warnings).toEqual([]);
  });

  it('derives a filing time when the XML has none: the business day before, 8:45 am Eastern', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-corpus-'));
    try {
      mkdirSync(join(dir, 'api'));
      mkdirSync(join(dir, 'docs'));
      // A Monday publication: filed the Friday before.
      writeFileSync(
        join(dir, 'api', '2030-00001.json'),
        JSON.stringify({ document_number: '2030-00001', publication_date: '2030-01-07' }),
      );
      writeFileSync(join(dir, 'docs', '2030-00001.xml'), '<RULE><P>no filing line</P></RULE>');
      const corpus = await loadCorpus(dir);
      expect(corpus.documents[0]!.filedAt).toMatchObject({
        iso: '2030-01-04T08:45:00.000-05:00',
        source: 'derived',
      });
      expect(corpus.documents[0]!.xmlUrlPath).toBe('/documents/full_text/xml/2030/01/07/2030-00001.xml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the ground-truth timeline: baseline + expected changes gives final.json', async () => {
    const corpus = await loadCorpus(DEV_CORPUS);
    const stateAt = groundTruthStateAt(corpus)!;
    const final = readJson<{ asOf: string; entries: Array<{ country: string; name: string }> }>(
      join(DEV_CORPUS, 'final.json'),
    );
    const baseline = readJson<{ asOf: string; entries: unknown[] }>(join(DEV_CORPUS, 'baseline.json'));
    const end = await stateAt(final.asOf);
    expect(end.asOf).toBe(final.asOf);
    const byKey = (e: { country: string; name: string }): string => `${e.country}|${e.name}`;
    expect(new Map(end.entries.map((e) => [byKey(e), e]))).toEqual(
      new Map(final.entries.map((e) => [byKey(e), e])),
    );
    expect((await stateAt(baseline.asOf)).entries).toHaveLength(baseline.entries.length);
    // 2019-22210 adds 28 entries.
    const before = await stateAt('2019-10-08');
    const after = await stateAt('2019-10-09');
    expect(after.entries.length - before.entries.length).toBe(28);
  });
});

describe('replay-server command', () => {
  it('parses its arguments', () => {
    expect(parseReplayServerArgs(['--corpus', 'x', '--port', '8080', '--now', '2019-10-09'])).toEqual({
      corpus: 'x',
      port: 8080,
      host: '127.0.0.1',
      now: '2019-10-09',
    });
    expect(parseReplayServerArgs(['--corpus=x', '--host=0.0.0.0'])).toMatchObject({
      corpus: 'x',
      host: '0.0.0.0',
    });
    expect(parseReplayServerArgs(['--port', '1'])).toEqual({ error: '--corpus DIR is required' });
    expect(parseReplayServerArgs(['--corpus', 'x', '--now', 'soon'])).toHaveProperty('error');
    expect(parseReplayServerArgs(['--corpus', 'x', '--port', '70000'])).toHaveProperty('error');
  });

  it('prints the URL, serves until told to stop, then closes', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const running = replayServerCommand(['--corpus', DEV_CORPUS, '--now', '2035-01-01T00:00:00Z'], io, {
      until,
    });
    const deadline = Date.now() + 10_000;
    while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const url = out.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const clock = await (await fetch(`${url}/_replay/clock`)).json();
    expect(clock).toEqual({ now: '2035-01-01T00:00:00.000Z' });
    stop();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/_replay/clock`)).rejects.toThrow();
    expect(err).toContain('closed');
  });

  it('exits non-zero with a message on a missing corpus or bad arguments', async () => {
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } };
    expect(await replayServerCommand(['--corpus', '/nonexistent/corpus'], io)).not.toBe(0);
    expect(err).toContain('no api/ directory');
    expect(await replayServerCommand(['--bogus'], io)).toBe(64);
  });
});

describe('extracted timeline (a corpus without expected/)', () => {
  it('extracts and applies the XML to reach the final state', async () => {
    const corpus = await loadCorpus(DEV_CORPUS);
    const stateAt = extractedStateAt(corpus)!;
    const final = readJson<{ asOf: string; entries: Array<{ country: string; name: string }> }>(
      join(DEV_CORPUS, 'final.json'),
    );
    const end = await stateAt(final.asOf);
    const keys = (s: { entries: Array<{ country: string; name: string }> }): string[] =>
      s.entries.map((e) => `${e.country}|${e.name}`).sort();
    expect(keys(end)).toEqual(keys(final));
  });
});
