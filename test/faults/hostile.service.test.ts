import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { spawnService } from '../support/processes.js';
import { referenceRun } from '../support/reference.js';
import { uniquePrefix, waitFor } from '../support/service.js';
import {
  buildHostileCorpus,
  documentLists,
  documentView,
  END_OF_TIMELINE,
  HOSTILE_DOCUMENTS,
  peakRssMb,
  plainReceiver,
  receiversComplete,
  referenceProblems,
  serviceEnv,
  startTimeline,
  Steps,
  subscribe,
  waitReady,
  type TrialReceiver,
} from './support.js';

/**
 * Fault trial 5: hostile documents served by the replay server in place of BIS rules' XML (an
 * entity bomb, external entities, 50 MB, 10,000-deep nesting, a PDF, an HTML page, the wrong
 * encoding), each published between good documents of the dev timeline. Each is quarantined with
 * its typed reason, the good documents after it are applied as in a fault-free run, and the service
 * process's peak RSS stays bounded.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
/**
 * The service's peak RSS ceiling. A fault-free run peaks near 160 MB; the largest body it will
 * hold is 32 MiB (refused while streaming beyond that), and nothing may expand: a bomb expanded
 * would need gigabytes.
 */
const PEAK_RSS_LIMIT_MB = 320;

const steps = new Steps();
afterEach(() => steps.run());

describe('fault trial: hostile documents', () => {
  it('quarantines each with its typed reason, goes on with the good ones, and keeps memory bounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-hostile-'));
    steps.add(async () => rmSync(dir, { recursive: true, force: true }));
    buildHostileCorpus(dir);
    const prefix = uniquePrefix('hostile');
    const replay = await startTimeline(steps, redisUrl, prefix, dir);
    const receiver = await plainReceiver();
    steps.add(() => receiver.close());
    const p = await spawnService(serviceEnv(redisUrl, prefix, replay));
    steps.add(() => p.kill('SIGKILL'));
    await waitReady(p.api);
    const receivers: TrialReceiver[] = [
      { name: 'receiver', receiver, subscription: await subscribe(p.api, receiver.url) },
    ];
    replay.setNow(END_OF_TIMELINE);

    await waitFor(
      'the good documents applied and delivered, the hostile ones quarantined',
      async () => {
        const docs = await documentLists(p.api);
        return docs.pending.length === 0 &&
          docs.quarantined.length >= HOSTILE_DOCUMENTS.length &&
          receiversComplete(reference, receivers)
          ? true
          : undefined;
      },
      180_000,
    );
    const peak = peakRssMb(p.child.pid);

    const outcomes = await Promise.all(
      HOSTILE_DOCUMENTS.map(async (d) => {
        const view = await documentView(p.api, d.number);
        return {
          number: d.number,
          what: d.what,
          status: view.status,
          code: view.quarantine?.code,
          message: view.quarantine?.message ?? '',
        };
      }),
    );
    console.log(
      `hostile documents: peak RSS ${peak?.toFixed(1)} MB; ` +
        outcomes.map((o) => `${o.what} → ${o.status} ${o.code} (${o.message})`).join('; '),
    );
    expect(outcomes).toEqual(
      HOSTILE_DOCUMENTS.map((d) => ({
        number: d.number,
        what: d.what,
        status: 'quarantined',
        code: d.code,
        message: expect.stringMatching(d.message),
      })),
    );
    expect((await documentLists(p.api)).quarantined).toEqual(HOSTILE_DOCUMENTS.map((d) => d.number).sort());
    // The worker went on: everything else exactly as a fault-free run.
    expect(await referenceProblems(p.api, reference, receivers)).toEqual([]);
    expect(p.child.exitCode).toBeNull();
    expect(peak).toBeDefined();
    expect(peak!).toBeLessThan(PEAK_RSS_LIMIT_MB);
  }, 300_000);
});
