import type { CloudEvent } from '../events/cloudevent.js';
import { publicInspectionEvent, type PublicInspectionInput } from '../events/builders.js';
import {
  PI_EVENT_TYPE,
  PI_PUBLISHED_EVENT_TYPE,
  trackPublicInspection,
  type PublicInspectionOutcome,
  type PublishedDocumentRef,
} from '../federal-register/public-inspection.js';
import { PublicInspectionStore } from '../store/public-inspection.js';
import { readProvisionalChanges, type ProvisionalReading } from '../entity-list/provisional.js';
import { entryKey } from '../entity-list/identity.js';
import { isAppError } from '../errors.js';
import type { PipelineContext } from './context.js';

/**
 * The early warning: Entity List rules go on public inspection a business day or more before
 * publication. Each poll reads the current inspection list, lets the pure tracker say what is new,
 * what was published (linked to its document, whatever the zero padding of its number) and what
 * left without being published, and logs one event for each.
 */
export async function pollPublicInspection(ctx: PipelineContext, signal: AbortSignal): Promise<number> {
  const listing = await ctx.frClient.publicInspectionCurrent({ signal });
  const store = new PublicInspectionStore(ctx.redis, { prefix: ctx.keys.federalRegister });
  const now = ctx.now();
  const { state, outcomes } = trackPublicInspection(await store.load(), {
    at: new Date(ctx.sourceNow()).toISOString(),
    listing,
    complete: true,
    published: await recentlyPublished(ctx),
  });
  const events: CloudEvent[] = [];
  for (const outcome of outcomes) {
    const number = outcome.data.documentNumber;
    if (outcome.type === PI_EVENT_TYPE) {
      const reading = await readInspectionCopy(ctx, outcome, signal);
      if (reading) await store.saveProvisional(number, reading);
      events.push(toEvent(outcome, reading));
      continue;
    }
    // How the filing ended settles what it announced: confirmed entry by entry against the
    // published rule's extraction, or withdrawn with it.
    const reading = await store.provisional(number);
    const published =
      outcome.type === PI_PUBLISHED_EVENT_TYPE
        ? await publishedChanges(ctx, outcome.data.publishedDocumentNumber)
        : undefined;
    events.push(toEvent(outcome, reading, published));
  }
  // Logged before the tracker's state is saved: a crash in between repeats the same outcomes,
  // whose ids the log already holds.
  const appended = await ctx.state.appendEvents(events, {
    retentionMs: ctx.config.eventRetentionDays * 86_400_000,
    now,
  });
  await store.save(state);
  const settled = outcomes.filter((o) => o.type !== PI_EVENT_TYPE).map((o) => o.data.documentNumber);
  await store.settle(settled);
  if (appended.length > 0) {
    for (const e of events) ctx.observer.emit('event.appended', { type: e.type, id: e.id });
    await ctx.queues.fanout.add('fanout', { v: 1 });
  }
  ctx.observer.emit('poll.succeeded', { source: 'public-inspection', at: now, documents: outcomes.length });
  return appended.length;
}

/**
 * Documents the published poll has seen in the last weeks: what filings get linked to. A document
 * counts once its extraction is known (or it was quarantined), so that the link can say which of
 * the filing's provisional changes the published rule confirms; one still waiting after
 * `EXTRACTION_WAIT_MS` counts anyway.
 */
async function recentlyPublished(ctx: PipelineContext): Promise<PublishedDocumentRef[]> {
  const refs: PublishedDocumentRef[] = [];
  for (const d of await ctx.documents.recent(500)) {
    const waiting = d.status === 'discovered' && ctx.now() - Date.parse(d.discoveredAt) < EXTRACTION_WAIT_MS;
    if (waiting) continue;
    refs.push({
      document_number: d.documentNumber,
      publication_date: d.publicationDate,
      ...(d.citation ? { citation: d.citation } : {}),
    });
  }
  return refs;
}

/**
 * The provisional changes the inspection copy's text announces. The early warning goes out
 * without them when the text cannot be had (not yet posted, an error): it is the filing itself
 * that matters most, and the published XML is what the state is built from.
 */
async function readInspectionCopy(
  ctx: PipelineContext,
  outcome: PublicInspectionOutcome,
  signal: AbortSignal,
): Promise<ProvisionalReading | undefined> {
  const { documentNumber, textUrl } = outcome.data;
  if (!textUrl) return undefined;
  try {
    return readProvisionalChanges(await ctx.frClient.getPublicInspectionText(textUrl, { signal }));
  } catch (err) {
    if (signal.aborted) throw err;
    ctx.logger.warn(
      { documentNumber, code: isAppError(err) ? err.code : 'INTERNAL', err: String(err) },
      'public inspection text unreadable; warning without provisional changes',
    );
    return undefined;
  }
}

const EXTRACTION_WAIT_MS = 10 * 60_000;

/** The published rule's changes as keys (`action key`), when its extraction is stored. */
async function publishedChanges(
  ctx: PipelineContext,
  documentNumber: string,
): Promise<Set<string> | undefined> {
  const extraction = await ctx.documents.extraction(documentNumber);
  if (!extraction) return undefined;
  return new Set(
    extraction.changes.flatMap((c) =>
      [c.entry.name, ...(c.previousName ? [c.previousName] : [])].map(
        (name) => `${c.action} ${entryKey(c.country, name)}`,
      ),
    ),
  );
}

function provisionalInput(reading: ProvisionalReading | undefined, published?: Set<string>) {
  if (!reading) return {};
  return {
    changes: reading.changes.map((c) => ({
      action: c.action,
      country: c.country,
      entry: { name: c.name },
      ...(published ? { confirmed: published.has(`${c.action} ${entryKey(c.country, c.name)}`) } : {}),
    })),
    unnamed: reading.unnamed,
  };
}

export function toEvent(
  outcome: PublicInspectionOutcome,
  reading?: ProvisionalReading,
  published?: Set<string>,
): CloudEvent {
  const r = outcome.data;
  const input: PublicInspectionInput = {
    documentNumber: r.documentNumber,
    publicationDate: r.scheduledPublicationDate ?? (r.filedAt ?? '').slice(0, 10),
  };
  if (r.filedAt) input.filedAt = new Date(r.filedAt).toISOString();
  if (r.title) input.title = r.title;
  if (r.pdfUrl) input.pdfUrl = r.pdfUrl;
  if (r.htmlUrl) input.htmlUrl = r.htmlUrl;
  if (outcome.type === PI_EVENT_TYPE) {
    return publicInspectionEvent({ ...input, ...provisionalInput(reading) });
  }
  if (outcome.type === PI_PUBLISHED_EVENT_TYPE) {
    return publicInspectionEvent({
      ...input,
      ...provisionalInput(reading, published),
      status: 'published',
      publishedDocumentNumber: outcome.data.publishedDocumentNumber,
      publicationDate: outcome.data.publicationDate,
      ...(outcome.data.citation ? { publishedCitation: outcome.data.citation } : {}),
    });
  }
  return publicInspectionEvent({
    ...input,
    ...provisionalInput(reading),
    status: 'withdrawn',
    leftAt: new Date(outcome.data.leftAt).toISOString(),
    reason: outcome.data.reason,
  });
}
