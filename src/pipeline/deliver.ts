import { DelayedError, type Job } from 'bullmq';
import { nextDelay } from '../delivery/retry.js';
import type { DeliverJob } from '../queues/index.js';
import type { PipelineContext } from './context.js';

/**
 * One delivery attempt of one event to one subscription, per the Standard Webhooks spec (the
 * sender signs each attempt afresh). The stage schedules its own retries, on the webhook
 * schedule or later if the receiver's Retry-After asks, by moving the job back to delayed; a
 * delivery that exhausts the schedule, or whose subscriber has been failing for days, goes to the
 * dead-letter queue. 410 Gone disables the subscription.
 */
export type DeliverResult = 'delivered' | 'retrying' | 'dead-lettered' | 'disabled' | 'skipped';

export interface DeadLetter {
  eventId: string;
  subscriptionId: string;
  eventType?: string;
  attempts: number;
  reason: string;
  status?: number;
  at: string;
}

export async function deliverOnce(
  ctx: PipelineContext,
  job: Pick<Job<DeliverJob>, 'data' | 'updateData' | 'moveToDelayed'>,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<DeliverResult> {
  const { eventId, subscriptionId, attempt } = job.data;
  const sub = await ctx.subscriptions.get(subscriptionId);
  if (!sub) return 'skipped';
  const logged = await ctx.events.rawById(eventId);
  if (!logged) {
    ctx.logger.warn({ eventId, subscriptionId }, 'event no longer in the log (retention); delivery dropped');
    return 'skipped';
  }
  const eventType = (JSON.parse(logged.json) as { type?: string }).type ?? 'unknown';
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

  const now = ctx.now();
  const secrets = await ctx.subscriptions.signingSecrets(subscriptionId, now);
  const outcome = await ctx.sender.send({
    url: sub.url,
    eventId,
    body: logged.json,
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
      await ctx.subscriptions.recordSuccess(subscriptionId, finished);
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
      if (failingFor > ctx.config.webhooks.disableAfterMs) {
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
          ...(outcome.status ? { status: outcome.status } : {}),
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
          ...(outcome.status ? { status: outcome.status } : {}),
        });
        return 'dead-lettered';
      }
      await job.updateData({ ...job.data, attempt: attempt + 1 });
      await job.moveToDelayed(finished + delay, token);
      throw new DelayedError();
    }
  }
}

async function disable(ctx: PipelineContext, subscriptionId: string, reason: string): Promise<void> {
  await ctx.subscriptions.disable(subscriptionId, reason, ctx.now());
  ctx.observer.emit('subscription.disabled', { subscriptionId, reason });
  ctx.logger.warn({ subscriptionId, reason }, 'subscription disabled');
}

const DEAD_LETTER_CAP = 100_000;

export async function deadLetter(ctx: PipelineContext, letter: Omit<DeadLetter, 'at'>): Promise<void> {
  const record: DeadLetter = { ...letter, at: new Date(ctx.now()).toISOString() };
  await ctx.redis
    .multi()
    .lpush(ctx.keys.deadLetters, JSON.stringify(record))
    .ltrim(ctx.keys.deadLetters, 0, DEAD_LETTER_CAP - 1)
    .exec();
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
  ctx: Pick<PipelineContext, 'redis' | 'keys'>,
  subscriptionId?: string,
): Promise<DeadLetter[]> {
  const all = (await ctx.redis.lrange(ctx.keys.deadLetters, 0, -1)).map((s) => JSON.parse(s) as DeadLetter);
  return subscriptionId ? all.filter((d) => d.subscriptionId === subscriptionId) : all;
}

/** Takes a subscription's dead letters out of the queue and delivers them again. */
export async function redeliver(ctx: PipelineContext, subscriptionId: string): Promise<number> {
  const raw = await ctx.redis.lrange(ctx.keys.deadLetters, 0, -1);
  const mine = raw.filter((s) => (JSON.parse(s) as DeadLetter).subscriptionId === subscriptionId);
  const stamp = String(ctx.now());
  const seen = new Set<string>();
  const jobs: Array<{ name: string; data: DeliverJob; opts: { jobId: string } }> = [];
  for (const s of mine) {
    const letter = JSON.parse(s) as DeadLetter;
    if (seen.has(letter.eventId)) continue;
    seen.add(letter.eventId);
    jobs.push({
      name: 'deliver',
      data: { v: 1, eventId: letter.eventId, subscriptionId, attempt: 0, redelivery: stamp },
      opts: { jobId: `dlv-${letter.eventId}-${subscriptionId}-r${stamp}` },
    });
  }
  if (jobs.length > 0) await ctx.queues.deliver.addBulk(jobs);
  const tx = ctx.redis.multi();
  for (const s of mine) tx.lrem(ctx.keys.deadLetters, 1, s);
  await tx.exec();
  return jobs.length;
}
