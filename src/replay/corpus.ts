import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import type { Snapshot } from '../entity-list/types.js';
import { easternDate, easternInstant, isIsoDate, previousBusinessDay } from '../federal-register/dates.js';
import { documentNumberKey } from '../federal-register/document-number.js';
import type { FrDocument } from '../federal-register/types.js';

/**
 * A replay corpus on disk, laid out like test/fixtures/corpus/dev:
 *   api/<document_number>.json   the document's API record (relative URLs allowed)
 *   docs/<document_number>.xml   its full-text XML, served byte for byte
 *   baseline.json, final.json    snapshots (optional; used for the eCFR rendering)
 *   expected/<n>.json            per-document changes (optional; used for the eCFR rendering)
 *   ecfr/<YYYY-MM-DD>.xml[.gz]   real eCFR XML of part 744 as of that date (optional): the eCFR route
 *                                serves the newest one on or before the date asked, byte for byte
 * Other JSON files in api/ (recorded search pages) are not documents: a file is a document when
 * it has `document_number` and `publication_date`. Nothing about a particular corpus is assumed.
 */

export interface CorpusDocument {
  number: string;
  key: string;
  publicationDate: string;
  /** The API record as stored (URLs as stored). */
  record: FrDocument;
  /** Path of the XML on disk, if the corpus has it. */
  xmlFile?: string;
  /** URL path the record's `full_text_xml_url` names (`/documents/full_text/xml/…`). */
  xmlUrlPath: string;
  /** When it went on public inspection: FRDOC "Filed" in the XML, else the business day before at 8:45 ET. */
  filedAt: { iso: string; ms: number; source: 'frdoc' | 'derived' };
  filingType: 'regular' | 'special';
}

export interface Corpus {
  dir: string;
  /** Sorted by publication date, then document number. */
  documents: CorpusDocument[];
  byKey: Map<string, CorpusDocument>;
  byXmlPath: Map<string, CorpusDocument>;
  baseline?: Snapshot;
  final?: Snapshot;
  /** Real eCFR files of part 744, sorted by date (`ecfr/<date>.xml`, or `.xml.gz`). */
  ecfr: EcfrFile[];
  /** Problems met while loading (files skipped and why). */
  warnings: string[];
}

export interface EcfrFile {
  /** The date the text is as of (the file's name). */
  date: string;
  file: string;
  gzipped: boolean;
}

/** `DIR/ecfr/<YYYY-MM-DD>.xml` or `.xml.gz`, sorted by date; other names are reported and skipped. */
async function loadEcfrFiles(dir: string, warnings: string[]): Promise<EcfrFile[]> {
  const ecfrDir = join(dir, 'ecfr');
  if (!existsSync(ecfrDir)) return [];
  const out: EcfrFile[] = [];
  for (const name of (await readdir(ecfrDir)).sort()) {
    const m = /^(\d{4}-\d{2}-\d{2})\.xml(\.gz)?$/.exec(name);
    if (!m || !isIsoDate(m[1]!)) {
      warnings.push(`ecfr/${name}: not <YYYY-MM-DD>.xml or .xml.gz; skipped`);
      continue;
    }
    if (out.some((f) => f.date === m[1])) {
      warnings.push(`ecfr/${name}: a second file for ${m[1]}; skipped`);
      continue;
    }
    out.push({ date: m[1]!, file: join(ecfrDir, name), gzipped: m[2] !== undefined });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

/** The eCFR file in force on `date`: the newest one dated on or before it. */
export function ecfrFileAt(corpus: Corpus, date: string): EcfrFile | undefined {
  let found: EcfrFile | undefined;
  for (const f of corpus.ecfr) if (f.date <= date) found = f;
  return found;
}

/** The bytes of an eCFR file as the versioner would send them (decompressed). */
export async function readEcfrFile(file: EcfrFile): Promise<Buffer> {
  const bytes = await readFile(file.file);
  return file.gzipped ? gunzipSync(bytes) : bytes;
}

const FILED =
  /Filed\s+(\d{1,2})\s*[-\u2010-\u2015]\s*(\d{1,2})\s*[-\u2010-\u2015]\s*(\d{2,4})\s*;?\s*(\d{1,2}):(\d{2})\s*([ap])\.?\s*m/i;

/** "[FR Doc. 2019–22210 Filed 10–7–19; 8:45 am]" → the instant in America/New_York. Pure. */
export function parseFiled(frdoc: string): { date: string; hour: number; minute: number } | undefined {
  const m = FILED.exec(frdoc);
  if (!m) return undefined;
  const [, mo, d, yRaw, h, mi, ap] = m;
  let year = Number(yRaw);
  if (year < 100) year += year >= 70 ? 1900 : 2000;
  let hour = Number(h) % 12;
  if (ap!.toLowerCase() === 'p') hour += 12;
  const date = `${year}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  if (!isIsoDate(date)) return undefined;
  return { date, hour, minute: Number(mi) };
}

function urlPath(url: string): string {
  return new URL(url, 'http://replay.invalid').pathname;
}

function defaultXmlPath(number: string, publicationDate: string): string {
  const [y, m, d] = publicationDate.split('-');
  return `/documents/full_text/xml/${y}/${m}/${d}/${number}.xml`;
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

function isSnapshot(v: unknown): v is Snapshot {
  return typeof v === 'object' && v !== null && Array.isArray((v as Snapshot).entries);
}

/** Loads a corpus directory. Throws INPUT_INVALID when it has no `api/` documents at all. */
export async function loadCorpus(dir: string): Promise<Corpus> {
  const apiDir = join(dir, 'api');
  const docsDir = join(dir, 'docs');
  if (!existsSync(apiDir)) {
    throw new AppError(
      'INPUT_INVALID',
      `replay corpus ${dir}: no api/ directory (expected api/<document_number>.json files)`,
      {
        context: { dir },
      },
    );
  }
  const warnings: string[] = [];
  const documents: CorpusDocument[] = [];
  for (const name of (await readdir(apiDir)).sort()) {
    if (!name.endsWith('.json')) continue;
    let record: unknown;
    try {
      record = await readJson(join(apiDir, name));
    } catch (err) {
      warnings.push(`api/${name}: not JSON (${(err as Error).message}); skipped`);
      continue;
    }
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof (record as FrDocument).document_number !== 'string' ||
      typeof (record as FrDocument).publication_date !== 'string'
    ) {
      continue; // a recorded search page or other non-document file
    }
    const doc = record as FrDocument;
    const number = doc.document_number;
    if (!isIsoDate(doc.publication_date)) {
      warnings.push(
        `api/${name}: publication_date ${JSON.stringify(doc.publication_date)} is not YYYY-MM-DD; skipped`,
      );
      continue;
    }
    const xmlFile = join(docsDir, `${number}.xml`);
    const hasXml = existsSync(xmlFile);
    let filed: ReturnType<typeof parseFiled>;
    if (hasXml) {
      const xml = await readFile(xmlFile, 'utf8');
      const frdoc = /<FRDOC>([\s\S]*?)<\/FRDOC>/.exec(xml);
      filed = frdoc ? parseFiled(frdoc[1]!) : undefined;
      if (filed && filed.date >= doc.publication_date) filed = undefined;
    }
    const filedAt = filed
      ? { ...easternInstant(filed.date, filed.hour, filed.minute), source: 'frdoc' as const }
      : { ...easternInstant(previousBusinessDay(doc.publication_date), 8, 45), source: 'derived' as const };
    const filedHour = filed?.hour ?? 8;
    const entry: CorpusDocument = {
      number,
      key: documentNumberKey(number),
      publicationDate: doc.publication_date,
      record: doc,
      xmlUrlPath: doc.full_text_xml_url
        ? urlPath(doc.full_text_xml_url)
        : defaultXmlPath(number, doc.publication_date),
      filedAt,
      // Regular filings go on display at 8:45 am; later ones are special filings.
      filingType: filedHour >= 12 ? 'special' : 'regular',
    };
    if (hasXml) entry.xmlFile = xmlFile;
    else warnings.push(`api/${name}: no docs/${number}.xml; its full text will answer 404`);
    documents.push(entry);
  }
  documents.sort(
    (a, b) => a.publicationDate.localeCompare(b.publicationDate) || a.number.localeCompare(b.number),
  );
  const corpus: Corpus = {
    dir,
    documents,
    byKey: new Map(documents.map((d) => [d.key, d])),
    byXmlPath: new Map(documents.map((d) => [d.xmlUrlPath, d])),
    ecfr: await loadEcfrFiles(dir, warnings),
    warnings,
  };
  for (const [file, field] of [
    ['baseline.json', 'baseline'],
    ['final.json', 'final'],
  ] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    try {
      const snap = await readJson(path);
      if (isSnapshot(snap)) corpus[field] = snap;
      else warnings.push(`${file}: not a snapshot ({asOf, entries[]}); ignored`);
    } catch (err) {
      warnings.push(`${file}: not JSON (${(err as Error).message}); ignored`);
    }
  }
  return corpus;
}

/** The calendar date of filing in Eastern time (for `available_on`). */
export function filedDate(doc: CorpusDocument): string {
  return easternDate(doc.filedAt.ms);
}
