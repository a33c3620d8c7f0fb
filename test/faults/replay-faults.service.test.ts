import { afterEach, describe, expect, inject, it } from 'vitest';
import type { FaultRuleInput } from '../../src/replay/faults.js';
import { corpusDocuments } from '../support/fixtures.js';
import { spawnService } from '../support/processes.js';
import { referenceRun } from '../support/reference.js';
import { PRODUCTION_RATE_LIMITS, uniquePrefix, waitFor } from '../support/service.js';
import {
  documentLists,
  documentView,
  END_OF_TIMELINE,
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
 * Fault trial 3: the replay server fails a share of the service's requests (seeded, so a failing
 * run can be replayed): 5xx, 429 with Retry-After, a download held past the client's timeout,
 * XML cut off mid-body (the connection reset, or the body well framed but short) and connections
 * dropped without an answer. Every document must still be applied exactly once, none quarantined,
 * and the Federal Register's rate limits hold at the server, retries included.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
const BIS_DOCUMENTS = corpusDocuments().filter((d) =>
  (d.api.agencies as Array<{ slug?: string }>).some((a) => a.slug === 'industry-and-security-bureau'),
);

const steps = new Steps();
afterEach(() => steps.run());

const FAULTS: FaultRuleInput[] = [
  // Longer than the client's 30 s headers timeout: once, on the first download.
  { kind: 'xml', latencyMs: 31_000, count: 1 },
  { kind: 'search', status: 503, probability: 0.25, seed: 101 },
  { kind: 'search', status: 429, retryAfter: 1, probability: 0.2, seed: 102 },
  { kind: 'search', drop: true, probability: 0.1, seed: 103 },
  { kind: 'xml', truncate: 'reset', probability: 0.15, seed: 104 },
  { kind: 'xml', truncate: 'clean', probability: 0.15, seed: 105 },
  { kind: 'xml', drop: true, probability: 0.1, seed: 106 },
  { kind: 'xml', status: 500, probability: 0.1, seed: 107 },
  { kind: 'xml', status: 429, retryAfter: 2, probability: 0.1, seed: 108 },
];

describe('fault trial: the replay server fails a share of requests', () => {
  it('applies every document exactly once, quarantines none, and keeps to 5 requests/s and 1 XML/s', async () => {
    const prefix = uniquePrefix('rf');
    const replay = await startTimeline(steps, redisUrl, prefix);
    const receiver = await plainReceiver();
    steps.add(() => receiver.close());
    // The Federal Register's own limits, not the tests' fast ones: this trial checks they hold.
    const p = await spawnService(serviceEnv(redisUrl, prefix, replay, PRODUCTION_RATE_LIMITS));
    steps.add(() => p.kill('SIGKILL'));
    await waitReady(p.api);
    const receivers: TrialReceiver[] = [
      { name: 'receiver', receiver, subscription: await subscribe(p.api, receiver.url) },
    ];

    replay.faults.add(FAULTS);
    replay.setNow(END_OF_TIMELINE);
    await waitFor(
      'every event logged and delivered despite the faults',
      async () => {
        const docs = await documentLists(p.api).catch(() => undefined);
        // A quarantine would stall nothing (the line goes on) but must fail the trial at once.
        if (docs && docs.quarantined.length > 0) return true;
        return receiversComplete(reference, receivers) || undefined;
      },
      240_000,
    );

    const docs = await documentLists(p.api);
    const quarantined = await Promise.all(
      docs.quarantined.map(async (n) => `${n}: ${JSON.stringify((await documentView(p.api, n)).quarantine)}`),
    );
    expect(quarantined).toEqual([]);
    expect(await referenceProblems(p.api, reference, receivers)).toEqual([]);
    // Exactly once, document by document: each applied, with the events the reference gives it.
    for (const doc of BIS_DOCUMENTS) {
      const view = await documentView(p.api, doc.number);
      expect(view.status, doc.number).toBe('applied');
      expect(
        view.events.map((e) => e.id),
        doc.number,
      ).toEqual(reference.events.filter((e) => e.source.endsWith(`/${doc.number}`)).map((e) => e.id));
    }

    // Every kind of fault happened, so the run proves something.
    const rules = replay.faults.list();
    expect(rules.filter((r) => r.hits === 0).map((r) => JSON.stringify(r))).toEqual([]);
    const stats = replay.stats.report();
    const figures = {
      faultsInjected: Object.fromEntries(rules.map((r) => [describeRule(r), r.hits])),
      xml: stats.byKind.xml,
      search: stats.byKind.search,
      apiMaxPerSecond: stats.api.maxPerSecond,
    };
    console.log(
      `replay faults: ${JSON.stringify({ ...figures, xml: summary(figures.xml), search: summary(figures.search) })}`,
    );
    expect(stats.byKind.xml?.maxPerSecond).toBeLessThanOrEqual(1);
    expect(stats.api.maxPerSecond).toBeLessThanOrEqual(5);
  }, 300_000);
});

function describeRule(r: FaultRuleInput): string {
  const what =
    r.status !== undefined
      ? `${r.status}${r.retryAfter !== undefined ? ` Retry-After ${r.retryAfter}` : ''}`
      : r.truncate
        ? `truncate ${r.truncate === true ? 'reset' : r.truncate}`
        : r.drop
          ? 'drop'
          : `latency ${r.latencyMs} ms`;
  return `${r.kind} ${what}`;
}

function summary(k: { count: number; statuses: Record<string, number>; maxPerSecond: number } | undefined) {
  return k && { count: k.count, statuses: k.statuses, maxPerSecond: k.maxPerSecond };
}
