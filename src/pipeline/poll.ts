import { documentFactsFromApi, type DocumentFacts } from '../entity-list/document.js';
import { isIsoDate } from '../entity-list/snapshot.js';
import { DocumentCursor } from '../store/cursor.js';
import { addDays } from '../federal-register/dates.js';
import { pollEntityListDocuments } from '../federal-register/poll.js';
import type { FrDocument } from '../federal-register/types.js';
import { documentJobId } from './apply.js';
import { seedStateFromEcfr } from './snapshots.js';
import type { PipelineContext } from './context.js';

/**
 * The published-documents poll: search the Federal Register for Entity List candidates from the
 * cursor, put each new document in line and enqueue its fetch. A document is marked processed on
 * the cursor only after its job is safely enqueued, so a crash in between repeats it (absorbed by
 * its job id and the document store) rather than losing it.
 */
export interface PollOutcome {
  skipped?: string;
  since?: string;
  discovered: string[];
}

export function documentCursor(ctx: PipelineContext, baselineAsOf: string): DocumentCursor {
  return new DocumentCursor(ctx.redis, {
    prefix: ctx.keys.federalRegister,
    startDate: addDays(baselineAsOf, 1),
    lookbackDays: ctx.config.lookbackDays,
  });
}

export async function pollPublished(
  ctx: PipelineContext,
  signal: AbortSignal,
  via = 'poll',
): Promise<PollOutcome> {
  // An emptied store is not a first run: no seeding from eCFR, no poll, until an operator recovers.
  if (await ctx.deployment.blocked())
    return { skipped: 'Redis lost the deployment data: waiting for `fedreg-watch recover`', discovered: [] };
  const meta = await ctx.state.meta();
  if (!meta.baselineAsOf) {
    if (ctx.config.sources.ecfr && ctx.config.bootstrapFromEcfr) {
      const seeded = await seedStateFromEcfr(ctx, signal);
      return { skipped: `no state imported: seeded from eCFR as of ${seeded.asOf}`, discovered: [] };
    }
    ctx.logger.warn(
      'no Entity List state in Redis yet: import one with `fedreg-watch state import SNAPSHOT.json`; polling waits',
    );
    return { skipped: 'no state imported', discovered: [] };
  }
  const cursor = documentCursor(ctx, meta.baselineAsOf);
  const result = await pollEntityListDocuments(ctx.frClient, cursor, { signal });
  const discovered = await enqueueDocuments(ctx, result.documents, via, cursor);
  ctx.observer.emit('poll.succeeded', { source: 'published', at: ctx.now(), documents: discovered.length });
  return { since: result.since, discovered };
}

/** Puts documents in line and enqueues their fetch; shared by the poll and backfill. */
export async function enqueueDocuments(
  ctx: PipelineContext,
  documents: readonly FrDocument[],
  via: string,
  cursor?: DocumentCursor,
): Promise<string[]> {
  const discovered: string[] = [];
  for (const doc of documents) {
    const number = doc.document_number;
    const xmlUrl = doc.full_text_xml_url;
    if (!xmlUrl) {
      // Not yet available as XML (it happens for a few hours after publication): try next poll.
      ctx.logger.info({ documentNumber: number }, 'document has no full_text_xml_url yet; will look again');
      continue;
    }
    const isNew = await ctx.documents.discover(
      {
        documentNumber: number,
        publicationDate: doc.publication_date,
        xmlUrl,
        facts: factsOf(doc),
        via,
      },
      ctx.now(),
    );
    if (isNew) {
      discovered.push(number);
      ctx.observer.emit('document.discovered', { documentNumber: number, via });
    }
    await ctx.queues.document.add(
      'document',
      { v: 1, documentNumber: number },
      { jobId: documentJobId(number) },
    );
    await cursor?.markProcessed(number, doc.publication_date);
  }
  return discovered;
}

/**
 * The API's facts about a document. Where the API has no effective date, it is left empty so the
 * apply stage takes the one the rule's DATES text states (documentFactsFromApi would fall back to
 * the publication date, which is wrong for rules effective on another day).
 */
function factsOf(doc: FrDocument): DocumentFacts {
  const facts = documentFactsFromApi(doc);
  if (!isIsoDate(doc.effective_on)) facts.effectiveDate = '';
  return facts;
}
