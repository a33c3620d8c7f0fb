/**
 * `fedreg-watch apply --state SNAPSHOT.json FILE.xml... [--events OUT.jsonl] [--meta DIR]`
 *
 * Applies the Entity List changes of each document, in the order given, to the snapshot and prints
 * the resulting snapshot JSON on stdout. `--events` writes the change events as JSON Lines.
 * Changes that cannot be applied are reported on stderr and as anomaly events; they do not fail the
 * run (exit 0), because the state and events are still right for everything else.
 *
 * Document dates: rule XML of a lone document does not print its publication date, so the FR API
 * record (`<n>.json`) is read from `--meta DIR`, else from `<dir of the XML>/../api/` (the corpus
 * layout) when present; otherwise the XML's own dates are used (a daily issue's date, the DATES
 * text's effective date).
 *
 * Exit codes: 0 done; 2 an input could not be read or is invalid (nothing is printed then);
 * 64 usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { applyDocument, sharedKeyWarnings } from '../entity-list/apply.js';
import {
  citationFromPage,
  documentChanges,
  documentFactsFromApi,
  type DocumentChanges,
  type DocumentFacts,
  type FederalRegisterDocumentRecord,
} from '../entity-list/document.js';
import { extractFromXml } from '../entity-list/extract.js';
import { parseSnapshot } from '../entity-list/snapshot.js';
import type { DocumentExtraction, Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import type { EntityListEvent } from '../events/types.js';
import { refusal, type CommandIO } from './io.js';

const USAGE =
  'usage: fedreg-watch apply --state SNAPSHOT.json FILE.xml... [--events OUT.jsonl] [--meta DIR]\n';

export async function applyCommand(argv: string[], io: CommandIO): Promise<number> {
  let args: { state?: string; events?: string; meta?: string; files: string[] };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        state: { type: 'string' },
        events: { type: 'string' },
        meta: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    args = { state: values.state, events: values.events, meta: values.meta, files: positionals };
  } catch (err) {
    io.stderr.write(`fedreg-watch apply: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if (!args.state || args.files.length === 0) {
    io.stderr.write(
      `fedreg-watch apply: ${!args.state ? '--state SNAPSHOT.json is required' : 'no XML files given'}\n${USAGE}`,
    );
    return 64;
  }

  try {
    let state = await readSnapshot(args.state);
    const events: EntityListEvent[] = [];
    const totals = { documents: 0, added: 0, revised: 0, removed: 0, corrected: 0, anomalies: 0 };
    // A name listed twice under one destination is kept twice: said once, for the state read.
    let warnedShared = false;
    for (const file of args.files) {
      for (const doc of await readDocuments(file, args.meta, io)) {
        const result = applyDocument(state, doc);
        if (!warnedShared) {
          for (const w of sharedKeyWarnings(result.shared, state.asOf))
            io.stderr.write(`warning: ${args.state}: ${w}\n`);
          warnedShared = true;
        }
        state = result.next;
        events.push(...result.events);
        totals.documents += 1;
        for (const k of ['added', 'revised', 'removed', 'corrected', 'anomalies'] as const)
          totals[k] += result.counts[k];
        reportNotes(result.events, io);
      }
    }
    if (args.events) await writeFile(args.events, events.map((e) => JSON.stringify(e) + '\n').join(''));
    io.stdout.write(JSON.stringify(state, null, 2) + '\n');
    io.stderr.write(
      `applied ${totals.documents} document(s): ${totals.added} added, ${totals.revised} revised, ${totals.removed} removed, ${totals.corrected} corrected, ${totals.anomalies} anomalies; ${state.entries.length} entries as of ${state.asOf}\n`,
    );
    return 0;
  } catch (err) {
    return refusal(io, err);
  }
}

async function readSnapshot(path: string): Promise<Snapshot> {
  return parseSnapshot(parseJson(await readInput(path, 'snapshot'), path), path);
}

/** Every document in one XML file (a lone rule, or a whole daily issue), with its facts. */
async function readDocuments(
  file: string,
  metaDir: string | undefined,
  io: CommandIO,
): Promise<DocumentChanges[]> {
  const bytes = await readInput(file, 'rule XML');
  const fallbackDocumentNumber = /^\d{4}-\d+/.test(basename(file))
    ? basename(file).replace(/\.xml$/i, '')
    : undefined;
  const extractions = extractFromXml(bytes, { source: file, fallbackDocumentNumber });
  const out: DocumentChanges[] = [];
  for (const extraction of extractions) {
    for (const w of extraction.warnings) io.stderr.write(`warning: ${w.message}\n`);
    const record = await findApiRecord(extraction.documentNumber, file, metaDir);
    const { documentNumber: _n, ...facts } = documentFacts(extraction, record, file);
    out.push(documentChanges(extraction, facts));
  }
  return out;
}

/** `--meta DIR/<n>.json`, else `<dir of the XML>/../api/<n>.json`, else none. */
async function findApiRecord(
  documentNumber: string,
  xmlFile: string,
  metaDir: string | undefined,
): Promise<FederalRegisterDocumentRecord | undefined> {
  const candidates = [
    ...(metaDir ? [join(metaDir, `${documentNumber}.json`)] : []),
    join(dirname(xmlFile), '..', 'api', `${documentNumber}.json`),
  ];
  for (const path of candidates) {
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new AppError(
        'INPUT_INVALID',
        `${path}: cannot read the FR API record (${err.code ?? err.message})`,
      );
    });
    if (text !== undefined) return parseJson(text, path) as FederalRegisterDocumentRecord;
  }
  return undefined;
}

/**
 * The document's dates and citation: the API record first (it is authoritative for publication
 * date and citation), the XML for what the record lacks.
 */
function documentFacts(
  extraction: DocumentExtraction,
  record: FederalRegisterDocumentRecord | undefined,
  file: string,
): DocumentFacts {
  const meta = extraction.document;
  if (record) {
    const facts = documentFactsFromApi({ document_number: extraction.documentNumber, ...record });
    if (record.effective_on == null && meta.effectiveDate) facts.effectiveDate = meta.effectiveDate;
    facts.citation ??= meta.citation ?? citationFromPage(facts.publicationDate, meta.startPage);
    return facts;
  }
  const publicationDate = meta.publicationDate ?? meta.effectiveDate;
  if (!publicationDate) {
    throw new AppError(
      'INPUT_INVALID',
      `${file}, FR doc ${extraction.documentNumber}: no publication or effective date in the XML, and no API record; pass --meta DIR holding ${extraction.documentNumber}.json from the FR API`,
    );
  }
  return {
    documentNumber: extraction.documentNumber,
    publicationDate,
    effectiveDate: meta.effectiveDate ?? publicationDate,
    citation: meta.citation ?? citationFromPage(publicationDate, meta.startPage),
  };
}

/** Anomalies, and matches that were not by key, so that no resolution goes unseen. */
function reportNotes(events: readonly EntityListEvent[], io: CommandIO): void {
  for (const event of events) {
    if (event.type === 'gov.bis.entitylist.anomaly') {
      io.stderr.write(`anomaly [${event.data.code}]: ${event.data.message}\n`);
    } else if ('match' in event.data && event.data.match && event.data.match.method !== 'key') {
      const { method, confidence, instructedName, matchedText } = event.data.match;
      io.stderr.write(
        `note: ${event.source}: "${instructedName}" taken as "${event.data.name}" under ${event.data.country} (${method} match on "${matchedText}", confidence ${confidence})\n`,
      );
    }
  }
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      'INPUT_INVALID',
      `${path}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`,
    );
  }
}

function parseJson(text: string | Buffer, path: string): unknown {
  try {
    return JSON.parse(text.toString());
  } catch (err) {
    throw new AppError('INPUT_INVALID', `${path}: not JSON (${(err as Error).message})`);
  }
}
