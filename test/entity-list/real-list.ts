/**
 * The real Entity List and the two real rules of 24 Aug 2026 (test/fixtures/real/ecfr/part-744 and
 * test/fixtures/real/fr-text; see their READMEs): the eCFR part 744 XML read with the service's own
 * eCFR reader, and the rules' expected extraction joined with their FR API records.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  documentChanges,
  documentFactsFromApi,
  type DocumentChanges,
  type FederalRegisterDocumentRecord,
} from '../../src/entity-list/document.js';
import type { DocumentExtraction, Snapshot } from '../../src/entity-list/types.js';
import { parseEcfrSupplement4 } from '../../src/sources/ecfr.js';

export const ECFR_DIR = fileURLToPath(new URL('../fixtures/real/ecfr/part-744/', import.meta.url));
export const FR_TEXT_DIR = fileURLToPath(new URL('../fixtures/real/fr-text/', import.meta.url));

/** The two eCFR versions held: same words, other periods and line breaks. */
export type RealListDate = '2026-03-25' | '2026-07-23';

const lists = new Map<RealListDate, Snapshot>();

/** The eCFR XML of part 744 as of `date`. */
export function realPart744Xml(date: RealListDate): string {
  return gunzipSync(readFileSync(`${ECFR_DIR}title-15-part-744-${date}.xml.gz`)).toString('utf8');
}

/** Supplement No. 4 as of `date`, read by the eCFR reader (cached: a read takes a few hundred ms). */
export function realList(date: RealListDate): Snapshot {
  let list = lists.get(date);
  if (!list) {
    list = parseEcfrSupplement4(realPart744Xml(date), {
      asOf: date,
      label: `eCFR part 744 ${date}`,
    }).snapshot;
    lists.set(date, list);
  }
  return structuredClone(list);
}

/** The rules of 24 Aug 2026, as apply takes them: 2026-17230 (a removal), 2026-17231 (a revision). */
export function realRules(): DocumentChanges[] {
  return ['2026-17230', '2026-17231'].map((n) => {
    const extraction = JSON.parse(readFileSync(`${FR_TEXT_DIR}expected/${n}.json`, 'utf8')) as Omit<
      DocumentExtraction,
      'warnings' | 'document'
    >;
    const record = JSON.parse(
      readFileSync(`${FR_TEXT_DIR}${n}.record.json`, 'utf8'),
    ) as FederalRegisterDocumentRecord;
    const { documentNumber: _n, ...facts } = documentFactsFromApi(record);
    return documentChanges({ ...extraction, warnings: [] }, facts);
  });
}
