import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDocument } from '../../src/entity-list/apply.js';
import {
  documentChanges,
  documentFactsFromApi,
  type FederalRegisterDocumentRecord,
} from '../../src/entity-list/document.js';
import { extractFromXml } from '../../src/entity-list/extract.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import { corpusDocuments, DEV_CORPUS, readSnapshot } from './fixtures.js';

/**
 * What a fault-free run of the pipeline must log for a corpus: the documents the search returns
 * (BIS's), extracted from their XML and applied in publication order, computed in process with the
 * pure core. Fault trials compare the service's event log and state with this.
 */
export interface Reference {
  events: CloudEvent[];
  state: Snapshot;
}

export function referenceRun(corpus = DEV_CORPUS): Reference {
  let state = readSnapshot(join(corpus, 'baseline.json'));
  const events: CloudEvent[] = [];
  for (const doc of corpusDocuments(corpus)) {
    const agencies = (doc.api.agencies as Array<{ slug?: string }> | undefined) ?? [];
    if (!agencies.some((a) => a.slug === 'industry-and-security-bureau')) continue;
    const [extraction] = extractFromXml(readFileSync(doc.xmlPath), { fallbackDocumentNumber: doc.number });
    const facts = documentFactsFromApi(doc.api as FederalRegisterDocumentRecord);
    if (!doc.api.effective_on)
      facts.effectiveDate = extraction!.document.effectiveDate ?? facts.publicationDate;
    const result = applyDocument(
      state,
      documentChanges({ ...extraction!, documentNumber: doc.number }, facts),
    );
    state = result.next;
    events.push(...result.events);
  }
  return { events, state };
}
