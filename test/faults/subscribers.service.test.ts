import { afterEach, describe, expect, inject, it } from 'vitest';
import type { DeadLetter } from '../../src/pipeline/deliver.js';
import type { Subscription } from '../../src/store/subscriptions.js';
import { spawnService } from '../support/processes.js';
import { startReceiver } from '../support/receiver.js';
import { referenceRun } from '../support/reference.js';
import { uniquePrefix, waitFor } from '../support/service.js';
import { pendingJobs, serviceQueues, waitFor as until } from '../support/wait.js';
import {
  call,
  END_OF_TIMELINE,
  eventsUpTo,
  expectedIds,
  logLength,
  plainReceiver,
  receivedIds,
  receiversComplete,
  referenceProblems,
  serviceEnv,
  startTimeline,
  Steps,
  subscribe,
  switchableReceiver,
  waitReady,
  type TrialReceiver,
} from './support.js';

/**
 * Fault trial 4: subscribers that fail. One refuses connections for a stretch and comes back: it
 * gets everything within the retry schedule. One answers 410 Gone: it is disabled, nothing more is
 * sent to it, and what it missed waits in the dead-letter queue until an operator re-enables it and
 * redelivers. A third, healthy one never waits on either.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
/** The first half of the timeline (seven documents, to 2019-05-20): the two failures happen there. */
const FIRST_HALF = '2019-06-01';
/** About a minute of retries in all: longer than the stretch the receiver is down. */
const RETRY_SCHEDULE = '500ms,1s,2s,4s,8s,16s,32s';

const steps = new Steps();
afterEach(() => steps.run());

const ids = (letters: DeadLetter[]): string[] => letters.map((d) => d.eventId);

describe('fault trial: subscribers that fail', () => {
  it('delivers to one that was down, disables one that answers 410, and the healthy one never waits', async () => {
    const prefix = uniquePrefix('subs');
    const replay = await startTimeline(steps, redisUrl, prefix);
    const healthy = await plainReceiver();
    const down = await switchableReceiver();
    let goneAnswers = 410;
    const gone = await startReceiver((_r, res) => res.writeHead(goneAnswers).end());
    steps.add(() => healthy.close());
    steps.add(() => down.close());
    steps.add(() => gone.close());
    const p = await spawnService(
      serviceEnv(redisUrl, prefix, replay, { WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE }),
    );
    steps.add(() => p.kill('SIGKILL'));
    await waitReady(p.api);
    const length = logLength(redisUrl, prefix);
    steps.add(async () => length.close());
    const { queues, drained, close } = serviceQueues(redisUrl, prefix);
    steps.add(close);

    const healthyR: TrialReceiver = {
      name: 'healthy',
      receiver: healthy,
      subscription: await subscribe(p.api, healthy.url),
    };
    const downR: TrialReceiver = {
      name: 'down',
      receiver: down,
      subscription: await subscribe(p.api, down.url),
    };
    const goneSub = await subscribe(p.api, gone.url);
    const subscription = async (id: string): Promise<Subscription> =>
      (await call(p.api, 'GET', `/v1/subscriptions/${id}`)).body as Subscription;
    const deadLetters = async (id: string): Promise<DeadLetter[]> =>
      (
        (await call(p.api, 'GET', `/v1/dead-letters?subscription=${id}`)).body as {
          deadLetters: DeadLetter[];
        }
      ).deadLetters;

    // First half: the down receiver refuses every connection, the gone one answers 410.
    const firstHalf = eventsUpTo(reference, FIRST_HALF).map((e) => e.id);
    const downSince = Date.now();
    replay.setNow(Date.parse(`${FIRST_HALF}T12:00:00Z`));
    await waitFor(
      'the first half logged and at the healthy receiver',
      async () =>
        (await length.read()) === firstHalf.length && firstHalf.every((id) => receivedIds(healthy).has(id))
          ? true
          : undefined,
      120_000,
    );
    // The healthy receiver has everything while the other two are still failing.
    expect(down.received).toHaveLength(0);
    expect((await subscription(downR.subscription!.id)).failingSince).toBeDefined();
    const disabled = await waitFor(
      'the 410 subscription disabled',
      async () => (await subscription(goneSub.id)).disabled,
    );
    expect(disabled.reason).toMatch(/410/);
    // Deliveries already queued for it drain into the dead-letter queue, each sent at most once.
    await until(
      async () => (await pendingJobs(queues.deliver, (d) => d.subscriptionId === goneSub.id)) === 0,
      {
        what: 'no delivery to the 410 subscription left in the queue',
      },
    );
    const goneLetters = await deadLetters(goneSub.id);
    expect(goneLetters.length).toBeGreaterThan(0);
    const sentToGone = gone.received.length;
    expect(new Set(ids(goneLetters)).size).toBe(goneLetters.length);
    expect([...receivedIds(gone)].every((id) => ids(goneLetters).includes(id))).toBe(true);
    expect(goneLetters.every((d) => firstHalf.includes(d.eventId))).toBe(true);

    // The down receiver comes back; the rest of the timeline is published.
    await down.up();
    const upAt = Date.now();
    replay.setNow(END_OF_TIMELINE);
    await waitFor(
      'everything at the healthy and the recovered receiver',
      async () =>
        (await length.read()) === reference.events.length && receiversComplete(reference, [healthyR, downR])
          ? true
          : undefined,
      120_000,
    );
    const recoveredMs = Date.now() - upAt;
    // No delivery or retry still in line that could add to what the receivers got.
    await drained();
    expect(await referenceProblems(p.api, reference, [healthyR, downR])).toEqual([]);
    // Within the retry schedule: nothing of the down receiver's was dead-lettered.
    expect(await deadLetters(downR.subscription!.id)).toEqual([]);
    // Nothing was sent to the disabled subscription after it was disabled.
    expect(gone.received.length).toBe(sentToGone);
    expect(ids(await deadLetters(goneSub.id)).sort()).toEqual(ids(goneLetters).sort());

    // Re-enabled and redelivered: exactly the dead-lettered ids arrive, and the queue is empty.
    goneAnswers = 200;
    expect((await call(p.api, 'POST', `/v1/subscriptions/${goneSub.id}/enable`)).status).toBe(200);
    const redeliver = await call(p.api, 'POST', `/v1/subscriptions/${goneSub.id}/redeliver`);
    expect(redeliver.body).toEqual({ redelivering: goneLetters.length });
    const afterEnable = (): Set<string> =>
      new Set(gone.received.slice(sentToGone).map((r) => String(r.headers['webhook-id'])));
    await waitFor('the dead letters redelivered', () =>
      ids(goneLetters).every((id) => afterEnable().has(id)) ? true : undefined,
    );
    await drained();
    expect([...afterEnable()].sort()).toEqual(ids(goneLetters).sort());
    expect(await deadLetters(goneSub.id)).toEqual([]);

    // What the disabled subscription never got: logged while it was disabled, neither sent nor
    // dead-lettered (fan-out passes disabled subscriptions by).
    const neverQueued = expectedIds(reference).filter((id) => !ids(goneLetters).includes(id));
    console.log(
      `subscribers: down for ${upAt - downSince} ms, complete ${recoveredMs} ms after coming back; ` +
        `410 receiver sent ${sentToGone} requests, ${goneLetters.length} dead-lettered and redelivered, ` +
        `${neverQueued.length} of ${reference.events.length} events logged while it was disabled never queued for it`,
    );
  }, 300_000);
});
