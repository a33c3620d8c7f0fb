import { applyDocument } from '../entity-list/apply.js';
import { documentChanges, type DocumentFacts } from '../entity-list/document.js';
import { AppError } from '../errors.js';
import { stateWrites } from '../store/state.js';
import type { DocumentRecord } from '../store/documents.js';
import type { PipelineContext } from './context.js';
import { quarantine } from './document.js';

/**
 * The apply stage: documents are applied to the state strictly in publication order, one at a
 * time, however many workers run (the queue has a global concurrency of 1, and the commit script
 * refuses a state that moved since it was read). The stage drains the line: it applies the head
 * while the head is extracted, and stops at a head still being fetched; that document's own
 * extraction wakes it again.
 */
export interface DrainResult {
  applied: string[];
  /** The document at the head of the line that is not extracted yet. */
  waitingOn?: string;
}

const MAX_CONFLICT_RETRIES = 10;

export async function drainApplyLine(ctx: PipelineContext, signal?: AbortSignal): Promise<DrainResult> {
  const applied: string[] = [];
  for (;;) {
    if (signal?.aborted) return { applied };
    const head = await ctx.documents.head();
    if (head === undefined) return { applied };
    const record = await ctx.documents.get(head);
    if (!record || record.status === 'applied' || record.status === 'quarantined') {
      await ctx.documents.dropPending(head);
      continue;
    }
    if (record.status === 'discovered') {
      // Its document job may have been lost with a Redis that kept nothing: ask again (the job id absorbs duplicates).
      await ctx.queues.document.add(
        'document',
        { v: 1, documentNumber: head },
        { jobId: documentJobId(head) },
      );
      return { applied, waitingOn: head };
    }
    const outcome = await applyOne(ctx, record);
    if (outcome === 'applied') applied.push(head);
  }
}

export function documentJobId(documentNumber: string): string {
  return `doc-${documentNumber}`;
}

async function applyOne(
  ctx: PipelineContext,
  record: DocumentRecord,
): Promise<'applied' | 'quarantined' | 'skipped'> {
  const extraction = record.extraction;
  if (!extraction)
    throw new AppError(
      'INPUT_INVALID',
      `FR doc ${record.documentNumber}: marked extracted but has no extraction`,
    );
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const { snapshot, version } = await ctx.state.read();
    let result;
    try {
      result = applyDocument(snapshot, documentChanges(extraction, factsFor(record)));
    } catch (err) {
      await quarantine(ctx, record.documentNumber, err);
      return 'quarantined';
    }
    const { upserts, deletes } = stateWrites(snapshot, result.next);
    const commit = await ctx.state.commit({
      documentNumber: record.documentNumber,
      expectedVersion: version,
      asOf: result.next.asOf,
      upserts,
      deletes,
      events: result.events,
      retentionMs: ctx.config.eventRetentionDays * 86_400_000,
      now: ctx.now(),
    });
    if (commit.kind === 'conflict') continue;
    if (commit.kind === 'already-applied') return 'skipped';
    const discoveredAt = Date.parse(record.discoveredAt);
    const appendedIds = new Set(commit.appended);
    ctx.observer.emit('document.applied', {
      documentNumber: record.documentNumber,
      publicationDate: record.publicationDate,
      appended: commit.appended.length,
      discoveredAt,
    });
    if (appendedIds.size > 0) {
      for (const event of result.events) {
        ctx.observer.emit('event.appended', { type: event.type, id: event.id, sourceSeenAt: discoveredAt });
      }
      for (const anomaly of result.anomalies) {
        ctx.observer.emit('anomaly', {
          code: (anomaly.data as { code?: string }).code ?? 'unknown',
          source: record.documentNumber,
        });
      }
    }
    ctx.logger.info(
      {
        documentNumber: record.documentNumber,
        counts: result.counts,
        appended: commit.appended.length,
        version: commit.version,
      },
      'document applied',
    );
    await ctx.queues.fanout.add('fanout', { v: 1 });
    return 'applied';
  }
  throw new AppError(
    'REDIS_UNAVAILABLE',
    `FR doc ${record.documentNumber}: the state kept changing under the apply step (${MAX_CONFLICT_RETRIES} conflicts); will retry`,
  );
}

/** The document facts apply needs: from the API's record, falling back to what the XML says. */
function factsFor(record: DocumentRecord): DocumentFacts {
  const meta = record.extraction?.document;
  const facts: DocumentFacts = {
    ...record.facts,
    documentNumber: record.documentNumber,
    publicationDate: record.facts.publicationDate || record.publicationDate,
    effectiveDate: record.facts.effectiveDate || meta?.effectiveDate || record.publicationDate,
    citation: record.facts.citation ?? meta?.citation ?? null,
  };
  return facts;
}
