/**
 * `fedreg-watch apply` end to end through the command function: real rule XML from the dev corpus,
 * the real extractor, files in a temporary directory.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/commands/apply.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import type { AnomalyEvent, EntityListEvent } from '../../src/events/types.js';
import { validateEvent } from '../../src/events/validate.js';
import { CORPUS_DIR, loadFinal, loadTimeline } from './corpus.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await applyCommand(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

function readEvents(path: string): EntityListEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as EntityListEvent);
}

const xml = (n: string) => join(CORPUS_DIR, 'docs', `${n}.xml`);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedreg-apply-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fedreg-watch apply (command, real XML)', () => {
  it('replays the dev timeline from XML to the final state', async () => {
    const files = loadTimeline().map((d) => xml(d.documentNumber));
    const eventsPath = join(dir, 'timeline.jsonl');
    const { code, stdout, stderr } = await run([
      '--state',
      join(CORPUS_DIR, 'baseline.json'),
      ...files,
      '--events',
      eventsPath,
    ]);
    expect(stderr).not.toMatch(/anomaly/);
    expect(code).toBe(0);

    const state = JSON.parse(stdout) as Snapshot;
    const final = loadFinal();
    expect(state.asOf).toBe(final.asOf);
    expect(state.entries.map(keyOf)).toEqual(final.entries.map(keyOf));
    // Names, license texts and citations as final.json has them. Aliases and addresses are the
    // extractor's reading of the entity cell and are checked by its own tests.
    const pick = (s: Snapshot) =>
      s.entries.map((e) => [
        e.country,
        e.name,
        e.licenseRequirement,
        e.licenseReviewPolicy,
        e.federalRegisterCitations,
      ]);
    expect(pick(state)).toEqual(pick(final));

    const events = readEvents(eventsPath);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('gov.bis.entitylist.entry.added')).toBe(184);
    expect(count('gov.bis.entitylist.entry.revised')).toBe(12);
    expect(count('gov.bis.entitylist.entry.removed')).toBe(7);
    expect(count('gov.bis.entitylist.entry.corrected')).toBe(2);
    expect(count('gov.bis.entitylist.rule.published')).toBe(15);
    for (const e of events) expect(validateEvent(e)).toEqual({ valid: true });
    // Dates and citations come from api/<n>.json next to docs/ (found without --meta).
    const anchor = events.find(
      (e) => e.type === 'gov.bis.entitylist.rule.published' && e.subject === '2019-22210',
    );
    expect(anchor?.data).toMatchObject({
      citation: '84 FR 54002',
      publicationDate: '2019-10-09',
      effectiveDate: '2019-10-09',
    });
    expect(stderr).toMatch(
      /applied 15 document\(s\): 184 added, 12 revised, 7 removed, 2 corrected, 0 anomalies; 413 entries as of 2024-05-08/,
    );
  });

  it('gives the same event ids when run again', async () => {
    const args = ['--state', join(CORPUS_DIR, 'baseline.json'), xml('2016-06777'), xml('2016-19320')];
    await run([...args, '--events', join(dir, 'a.jsonl')]);
    await run([...args, '--events', join(dir, 'b.jsonl')]);
    expect(readEvents(join(dir, 'b.jsonl')).map((e) => e.id)).toEqual(
      readEvents(join(dir, 'a.jsonl')).map((e) => e.id),
    );
  });

  it('reports changes it cannot apply on stderr and as anomaly events, and still prints the state', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ asOf: '2019-01-01', entries: [] }));
    const eventsPath = join(dir, 'anomalies.jsonl');
    const { code, stdout, stderr } = await run(['--state', empty, xml('2019-11153'), '--events', eventsPath]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ asOf: '2019-05-20', entries: [] });
    expect(stderr.match(/^anomaly \[EL_UNKNOWN_ENTRY\]: FR doc 2019-11153, remove under /gm)).toHaveLength(3);
    const anomalies = readEvents(eventsPath).filter(
      (e): e is AnomalyEvent => e.type === 'gov.bis.entitylist.anomaly',
    );
    expect(anomalies.map((a) => a.data.name).sort()).toEqual([
      'Mohd Ansari',
      'Nelford United Corp',
      'University of Electronic Science and Technology of China',
    ]);
    expect(anomalies.every((a) => a.data.applied === false && a.data.instruction?.action === 'remove')).toBe(
      true,
    );
  });

  it('reads document facts from --meta, else from the XML', async () => {
    const docs = join(dir, 'loose');
    mkdirSync(docs, { recursive: true });
    copyFileSync(xml('2018-04652'), join(docs, '2018-04652.xml'));
    const state = join(CORPUS_DIR, 'baseline.json');

    const withMeta = await run([
      '--state',
      state,
      join(docs, '2018-04652.xml'),
      '--meta',
      join(CORPUS_DIR, 'api'),
      '--events',
      join(dir, 'm.jsonl'),
    ]);
    expect(withMeta.code).toBe(0);
    expect((JSON.parse(withMeta.stdout) as Snapshot).asOf).toBe('2018-02-28');
    const published = readEvents(join(dir, 'm.jsonl')).find(
      (e) => e.type === 'gov.bis.entitylist.rule.published',
    );
    expect(published?.time).toBe('2018-02-25T00:00:00Z');
    expect(published?.data).toMatchObject({
      publicationDate: '2018-02-28',
      effectiveDate: '2018-02-25',
      citation: '83 FR 11076',
    });

    // No API record anywhere: the XML's effective date stands in for the publication date.
    const fromXml = await run([
      '--state',
      state,
      join(docs, '2018-04652.xml'),
      '--events',
      join(dir, 'x.jsonl'),
    ]);
    expect(fromXml.code).toBe(0);
    expect((JSON.parse(fromXml.stdout) as Snapshot).asOf).toBe('2018-02-25');
    const fromXmlPublished = readEvents(join(dir, 'x.jsonl')).find(
      (e) => e.type === 'gov.bis.entitylist.rule.published',
    );
    expect(fromXmlPublished?.data).toMatchObject({ effectiveDate: '2018-02-25', citation: '83 FR 11076' });
  });

  it('answers usage errors with 64 and unreadable inputs with 2, naming the file', async () => {
    expect((await run([xml('2016-06777')])).code).toBe(64);
    expect((await run(['--state', join(CORPUS_DIR, 'baseline.json')])).code).toBe(64);
    expect((await run(['--bogus'])).code).toBe(64);

    const missing = await run(['--state', join(dir, 'nope.json'), xml('2016-06777')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the snapshot \(no such file\)/);
    expect(missing.stdout).toBe('');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ asOf: 'yesterday', entries: [{ country: 'RUSSIA' }] }));
    const invalid = await run(['--state', bad, xml('2016-06777')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /SNAPSHOT_INVALID.*asOf: expected an ISO date.*entries\[0\]\.name: expected a string/,
    );
  });
});
