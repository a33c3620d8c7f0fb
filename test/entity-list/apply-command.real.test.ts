/**
 * The real before and after on the full path, as a user runs it: the eCFR list of 2026-07-23 read by
 * the eCFR reader, the two rules of 24 Aug 2026 in the real Federal Register XML layout, extracted
 * and applied by `fedreg-watch apply`. Exactly the Turkish entry goes, Arrow Electronics (Hong Kong)
 * keeps exactly the rule's five addresses and gains `91 FR 54659, 8/24/26`, nothing else changes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/commands/apply.js';
import { diffSnapshots } from '../../src/entity-list/diff.js';
import { parseSnapshot } from '../../src/entity-list/snapshot.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import type { EntityListEvent } from '../../src/events/types.js';
import { validateEvent } from '../../src/events/validate.js';
import { FR_TEXT_DIR, realList, realRules } from './real-list.js';

const ARROW = 'Arrow Electronics (Hong Kong) Co., Ltd.';
let dir: string;
let result: { code: number; stdout: string; stderr: string };
let prior: Snapshot;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedreg-apply-real-'));
  prior = realList('2026-07-23');
  writeFileSync(join(dir, 'state.json'), JSON.stringify(prior));
  mkdirSync(join(dir, 'meta'));
  for (const n of ['2026-17230', '2026-17231'])
    copyFileSync(join(FR_TEXT_DIR, `${n}.record.json`), join(dir, 'meta', `${n}.json`));
  let stdout = '';
  let stderr = '';
  const code = await applyCommand(
    [
      '--state',
      join(dir, 'state.json'),
      join(FR_TEXT_DIR, '2026-17230.xml'),
      join(FR_TEXT_DIR, '2026-17231.xml'),
      '--meta',
      join(dir, 'meta'),
      '--events',
      join(dir, 'events.jsonl'),
    ],
    { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
  );
  result = { code, stdout, stderr };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fedreg-watch apply: the real list and the real rules in the real XML layout (files)', () => {
  it('applies both documents: one removal, one revision, no anomaly, no listing lost', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /applied 2 document\(s\): 0 added, 1 revised, 1 removed, 0 corrected, 0 anomalies/,
    );
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EntityListEvent);
    expect(events.filter((e) => e.type.startsWith('gov.bis.entitylist.entry.')).map((e) => e.type)).toEqual([
      'gov.bis.entitylist.entry.removed',
      'gov.bis.entitylist.entry.revised',
    ]);
    expect(events.filter((e) => e.type === 'gov.bis.entitylist.anomaly')).toEqual([]);
    for (const e of events) expect(validateEvent(e)).toEqual({ valid: true });
  });

  it('leaves the list the expected extraction leaves: the Turkish entry gone, Arrow as the rule prints it', () => {
    const next = parseSnapshot(JSON.parse(result.stdout), 'stdout');
    expect(next.entries).toHaveLength(prior.entries.length - 1);
    const diff = diffSnapshots(prior, next);
    expect(diff.counts).toEqual({ added: 0, removed: 1, revised: 1, editorial: 0 });
    const removed = diff.changes.find((c) => c.kind === 'removed');
    expect(removed?.kind === 'removed' && [removed.before.country, removed.before.name]).toEqual([
      'TURKEY',
      'Atempo Proje Taahhüt Ses ve Görüntü Sistemleri Anonim Şirketi İstanbul Şubesi',
    ]);
    const arrow = next.entries.find((e) => e.name === ARROW)!;
    const row = realRules()[1]!.changes[0]!.entry as {
      addresses: string[];
      federalRegisterCitations: string[];
    };
    expect(arrow.addresses).toEqual(row.addresses);
    expect(arrow.federalRegisterCitations).toEqual(row.federalRegisterCitations);
    expect(arrow.federalRegisterCitations.at(-1)).toBe('91 FR 54659, 8/24/26');
    // And the same list as applying the expected extraction directly (apply.real.test.ts).
    expect(diff.changes.find((c) => c.kind === 'revised')).toMatchObject({
      fields: ['addresses', 'federalRegisterCitations'],
    });
  });
});
