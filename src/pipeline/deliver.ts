import { DelayedError, type Job } from 'bullmq';
import { nextDelay } from '../delivery/retry.js';
import type { DeliverJob } from '../queues/index.js';
import type { DeadLetter } from '../store/dead-letters.js';
import type { PipelineContext } from './context.js';

/**
 * One delivery attempt of one event to one subscription, per the Standard Webhooks spec (the
 * sender signs each attempt afresh). The stage schedules its own retries, on the webhook
 * schedule or later if the receiver's Retry-After asks, by moving the job back to delayed; a
 * delivery that exhausts the schedule, or whose subscriber has been failing for days, goes to the
 * dead-letter queue. 410 Gone disables the subscription.
 */
export type DeliverResult = 'delivered' | 'retrying' | 'dead-lettered' | 'disabled' | 'skipped';

export type { DeadLetter } from '../store/dead-letters.js';

export interface DelivererOptions {
  /** How long a subscription read is reused: a disable or rotation takes effect within it. */
  subscriptionTtlMs?: number;
  /** Events are immutable: how many to keep in memory. */
  eventCacheSize?: number;
  /** A subscription's "last success" is written at most this often while it keeps succeeding. */
  successWriteEveryMs?: number;
}

type DeliveryJob = Pick<Job<DeliverJob>, 'data' | 'updateData' | 'moveToDelayed'>;

/**
 * The delivery stage as a function of (job, token, signal), with what every delivery would
 * otherwise read again from Redis kept in memory: events (immutable, so cached by id), the
 * subscription and its secrets (for a second), and the "last success" mark (written when the
 * subscription was failing, else at most every few seconds). At thousands of deliveries a second,
 * those reads, not the HTTP, were the cost.
 */
export function createDeliverer(ctx: PipelineContext, options: DelivererOptions = {}) {
  const ttl = options.subscriptionTtlMs ?? 1000;
  const eventCacheSize = options.eventCacheSize ?? 5000;
  const successEvery = options.successWriteEveryMs ?? 5000;
  const events = new Map<string, { json: string; type: string }>();
  const subscriptions = new Map<
    string,
    { at: number; value: Awaited<ReturnType<PipelineContext['subscriptions']['forDelivery']>> }
  >();
  const lastSuccessWrite = new Map<string, number>();

  const eventOf = async (id: string): Promise<{ json: string; type: string } | undefined> => {
    const hit = events.get(id);
    if (hit) return hit;
    const logged = await ctx.events.rawById(id);
    if (!logged) return undefined;
    const value = { json: logged.json, type: logged.type };
    events.set(id, value);
    if (events.size > eventCacheSize) events.delete(events.keys().next().value as string);
    return value;
  };

  const subscriptionOf = async (id: string, now: number) => {
    const hit = subscriptions.get(id);
    if (hit && now - hit.at < ttl) return hit.value;
    const value = await ctx.subscriptions.forDelivery(id, now);
    subscriptions.set(id, { at: now, value });
    return value;
  };

  const recordSuccess = async (id: string, failing: boolean, now: number): Promise<void> => {
    if (!failing && now - (lastSuccessWrite.get(id) ?? 0) < successEvery) return;
    lastSuccessWrite.set(id, now);
    await ctx.subscriptions.recordSuccess(id, now);
    // The cached copy still says "failing": forget it so the next delivery reads the truth.
    if (failing) subscriptions.delete(id);
  };

  return async function deliver(
    job: DeliveryJob,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<DeliverResult> {
    const { eventId, subscriptionId, attempt } = job.data;
    const now = ctx.now();
    let found = await subscriptionOf(subscriptionId, now);
    if (found?.subscription.disabled) {
      // The copy may be up to a second old, and an operator may have enabled the subscription
      // since (and redelivered at once): only the stored subscription sends a delivery to the dead
      // letters. Rare (fan-out passes disabled subscriptions by), so read it again.
      subscriptions.delete(subscriptionId);
      found = await subscriptionOf(subscriptionId, now);
    }
    if (!found) return 'skipped';
    const { subscription: sub, secrets } = found;
    const event = await eventOf(eventId);
    if (!event) {
      ctx.logger.warn(
        { eventId, subscriptionId },
        'event no longer in the log (retention); delivery dropped',
      );
      return 'skipped';
    }
    const eventType = event.type;
    if (sub.disabled) {
      await deadLetter(ctx, {
        eventId,
        subscriptionId,
        eventType,
        attempts: attempt,
        reason: `subscription disabled: ${sub.disabled.reason}`,
      });
      return 'dead-lettered';
    }

    const outcome = await ctx.sender.send({
      url: sub.url,
      eventId,
      body: event.json,
      secret: secrets,
      now,
      ...(signal ? { signal } : {}),
    });
    const finished = ctx.now();
    const attempted = {
      subscriptionId,
      eventType,
      durationMs: outcome.durationMs,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    };

    switch (outcome.kind) {
      case 'delivered':
        await recordSuccess(subscriptionId, sub.failingSince !== undefined, finished);
        ctx.observer.emit('delivery.attempted', {
          ...attempted,
          outcome: 'delivered',
          ...(job.data.sourceSeenAt !== undefined && attempt === 0
            ? { sourceToWebhookMs: finished - job.data.sourceSeenAt }
            : {}),
        });
        return 'delivered';
      case 'gone':
        ctx.observer.emit('delivery.attempted', { ...attempted, outcome: 'gone' });
        subscriptions.delete(subscriptionId);
        await disable(ctx, subscriptionId, 'the receiver answered 410 Gone');
        await deadLetter(ctx, {
          eventId,
          subscriptionId,
          eventType,
          attempts: attempt + 1,
          reason: '410 Gone',
          status: 410,
        });
        return 'disabled';
      case 'forbidden':
        ctx.observer.emit('delivery.attempted', { ...attempted, outcome: 'forbidden' });
        await deadLetter(ctx, {
          eventId,
          subscriptionId,
          eventType,
          attempts: attempt + 1,
          reason: outcome.error?.message ?? 'URL refused',
        });
        return 'dead-lettered';
      case 'retry': {
        ctx.observer.emit('delivery.attempted', { ...attempted, outcome: 'retry' });
        const failingFor = await ctx.subscriptions.recordFailure(subscriptionId, finished);
        const reason = outcome.error?.message ?? `status ${outcome.status ?? 'none'}`;
        const status = outcome.status ? { status: outcome.status } : {};
        if (failingFor > ctx.config.webhooks.disableAfterMs) {
          subscriptions.delete(subscriptionId);
          await disable(
            ctx,
            subscriptionId,
            `failing without a success for ${Math.round(failingFor / 3_600_000)} h`,
          );
          await deadLetter(ctx, {
            eventId,
            subscriptionId,
            eventType,
            attempts: attempt + 1,
            reason,
            ...status,
          });
          return 'disabled';
        }
        const delay = nextDelay(attempt + 1, {
          schedule: ctx.config.webhooks.retryScheduleMs,
          ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
          rng: Math.random,
        });
        if (delay === 'exhausted') {
          await deadLetter(ctx, {
            eventId,
            subscriptionId,
            eventType,
            attempts: attempt + 1,
            reason,
            ...status,
          });
          return 'dead-lettered';
        }
        // The cached copy would hide the failure from the success path: read afresh next time.
        subscriptions.delete(subscriptionId);
        await job.updateData({ ...job.data, attempt: attempt + 1 });
        await job.moveToDelayed(finished + delay, token);
        throw new DelayedError();
      }
    }
  };
}

async function disable(ctx: PipelineContext, subscriptionId: string, reason: string): Promise<void> {
  await ctx.subscriptions.disable(subscriptionId, reason, ctx.now());
  ctx.observer.emit('subscription.disabled', { subscriptionId, reason });
  ctx.logger.warn({ subscriptionId, reason }, 'subscription disabled');
}

export async function deadLetter(ctx: PipelineContext, letter: Omit<DeadLetter, 'at'>): Promise<void> {
  await ctx.deadLetters.add({ ...letter, at: new Date(ctx.now()).toISOString() });
  ctx.observer.emit('delivery.dead-lettered', {
    subscriptionId: letter.subscriptionId,
    eventId: letter.eventId,
    reason: letter.reason,
  });
  ctx.logger.warn(
    { subscriptionId: letter.subscriptionId, eventId: letter.eventId, reason: letter.reason },
    'delivery dead-lettered',
  );
}

export async function deadLetters(
  ctx: Pick<PipelineContext, 'deadLetters'>,
  subscriptionId?: string,
): Promise<DeadLetter[]> {
  return ctx.deadLetters.list(subscriptionId);
}

/** Takes a subscription's dead letters out of the queue and delivers them again. */
export async function redeliver(ctx: PipelineContext, subscriptionId: string): Promise<number> {
  const mine = await ctx.deadLetters.ofSubscription(subscriptionId);
  const stamp = String(ctx.now());
  const seen = new Set<string>();
  const jobs: Array<{ name: string; data: DeliverJob; opts: { jobId: string } }> = [];
  for (const { letter } of mine) {
    if (seen.has(letter.eventId)) continue;
    seen.add(letter.eventId);
    jobs.push({
      name: 'deliver',
      data: { v: 1, eventId: letter.eventId, subscriptionId, attempt: 0, redelivery: stamp },
      opts: { jobId: `dlv-${letter.eventId}-${subscriptionId}-r${stamp}` },
    });
  }
  if (jobs.length > 0) await ctx.queues.deliver.addBulk(jobs);
  await ctx.deadLetters.remove(mine);
  return jobs.length;
}
