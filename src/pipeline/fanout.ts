import type { CloudEvent } from '../events/cloudevent.js';
import type { DeliverJob } from '../queues/index.js';
import { compareCursors, matchesFilter } from '../store/subscriptions.js';
import type { PipelineContext } from './context.js';

/**
 * Fan-out: turns each logged event into one delivery job per matching subscription, so that a
 * failing subscriber never delays or re-sends to the others. Driven by a cursor over the event
 * log (not by the apply step's memory), so a crash anywhere repeats work — absorbed by the
 * delivery job ids — and never loses it.
 */
const BATCH = 500;

export function deliveryJobId(eventId: string, subscriptionId: string): string {
  return `dlv-${eventId}-${subscriptionId}`;
}

export async function fanOut(ctx: PipelineContext, signal?: AbortSignal): Promise<number> {
  let cursor = await ctx.events.fanoutCursor();
  let queued = 0;
  for (;;) {
    if (signal?.aborted) break;
    const page = await ctx.events.page(cursor, BATCH);
    if (page.events.length === 0) break;
    const subscriptions = (await ctx.subscriptions.list()).filter((s) => !s.disabled);
    const seenAt = new Map<string, number | undefined>();
    const jobs: Array<{ name: string; data: DeliverJob; opts: { jobId: string } }> = [];
    for (const { cursor: at, event } of page.events) {
      for (const sub of subscriptions) {
        if (compareCursors(at, sub.startCursor) <= 0 || !matchesFilter(sub.filter, event)) continue;
        const data: DeliverJob = { v: 1, eventId: event.id, subscriptionId: sub.id, attempt: 0 };
        const discovered = await documentSeenAt(ctx, event, seenAt);
        if (discovered !== undefined) data.sourceSeenAt = discovered;
        jobs.push({ name: 'deliver', data, opts: { jobId: deliveryJobId(event.id, sub.id) } });
      }
    }
    if (jobs.length > 0) await ctx.queues.deliver.addBulk(jobs);
    queued += jobs.length;
    cursor = page.next;
    await ctx.events.setFanoutCursor(cursor);
  }
  return queued;
}

async function documentSeenAt(
  ctx: PipelineContext,
  event: CloudEvent,
  cache: Map<string, number | undefined>,
): Promise<number | undefined> {
  const documentNumber = (event.data as { documentNumber?: unknown } | null)?.documentNumber;
  if (typeof documentNumber !== 'string') return undefined;
  if (!cache.has(documentNumber)) {
    cache.set(documentNumber, await ctx.documents.discoveredAt(documentNumber));
  }
  return cache.get(documentNumber);
}
