/**
 * `fedreg-watch diff OLD.json NEW.json [--source URI]`
 *
 * The differences between two snapshots of the list, one JSON object per line, sorted by key:
 *
 * - `added` / `removed`: a listing only NEW / only OLD holds (`entry`);
 * - `revised`: both hold it and its words changed (`fields`: the fields whose words changed;
 *   `editorialFields`: fields whose text changed too, without their words changing);
 * - `editorial`: both hold it with the same words; punctuation, spacing, line breaks, markup or case
 *   changed (`fields`: the fields whose text changed).
 *
 * Revised and editorial lines carry `changes`, each involved field's value before and after. A
 * snapshot is the contract shape (`{asOf, entries}`), e.g. what `fedreg-watch ecfr` prints. Names
 * listed more than once under one destination are reported on stderr, and kept apart.
 *
 * Exit codes: 0 done (whatever the differences); 2 an input could not be read or is not a snapshot;
 * 64 usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sharedKeyWarnings } from '../entity-list/apply.js';
import { diffSnapshots, type SnapshotChange } from '../entity-list/diff.js';
import type { EntryField } from '../entity-list/field-diff.js';
import { parseSnapshot } from '../entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import { refusal, type CommandIO } from './io.js';

const USAGE = 'usage: fedreg-watch diff OLD.json NEW.json [--source URI]\n';

export async function diffCommand(argv: string[], io: CommandIO): Promise<number> {
  let files: string[];
  let source: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { source: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    files = positionals;
    source = values.source;
  } catch (err) {
    io.stderr.write(`fedreg-watch diff: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if (files.length !== 2) {
    io.stderr.write(
      `fedreg-watch diff: expected two snapshots, OLD and NEW; found ${files.length}\n${USAGE}`,
    );
    return 64;
  }
  try {
    const [older, newer] = await Promise.all(files.map(readSnapshot));
    const diff = diffSnapshots(older!, newer!, source !== undefined ? { source } : {});
    for (const change of diff.changes) io.stdout.write(JSON.stringify(diffLine(change)) + '\n');
    for (const [side, shared, asOf] of [
      [files[0], diff.shared.before, older!.asOf],
      [files[1], diff.shared.after, newer!.asOf],
    ] as const) {
      for (const w of sharedKeyWarnings(shared, asOf)) io.stderr.write(`warning: ${side}: ${w}\n`);
    }
    const { added, removed, revised, editorial } = diff.counts;
    io.stderr.write(
      `${older!.asOf} → ${newer!.asOf}: ${added} added, ${removed} removed, ${revised} revised, ${editorial} editorial (${older!.entries.length} → ${newer!.entries.length} entries)\n`,
    );
    return 0;
  } catch (err) {
    return refusal(io, err);
  }
}

/** One output line: the kind, the listing, and the fields involved with their two values. */
export function diffLine(change: SnapshotChange): Record<string, unknown> {
  if (change.kind === 'added' || change.kind === 'removed') {
    const entry = change.kind === 'added' ? change.after : change.before;
    return { kind: change.kind, key: change.key, country: entry.country, name: entry.name, entry };
  }
  const { before, after } = change;
  return {
    kind: change.kind,
    key: change.key,
    ...(change.previousKey !== undefined ? { previousKey: change.previousKey } : {}),
    country: after.country,
    name: after.name,
    fields: change.fields,
    ...(change.kind === 'revised' && change.editorialFields.length > 0
      ? { editorialFields: change.editorialFields }
      : {}),
    changes: Object.fromEntries(
      [...change.fields, ...(change.kind === 'revised' ? change.editorialFields : [])].map((f) => [
        f,
        { before: valueOf(before, f), after: valueOf(after, f) },
      ]),
    ),
  };
}

function valueOf(entry: ListedEntry, field: EntryField): unknown {
  return field === 'footnotes' || field === 'seeAlso' ? (entry[field] ?? []) : entry[field];
}

async function readSnapshot(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      'INPUT_INVALID',
      `${path}: cannot read the snapshot (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'INPUT_INVALID',
      `${path}: not JSON (${(err as Error).message}); expected a snapshot {asOf, entries}, e.g. from \`fedreg-watch ecfr\``,
    );
  }
  return parseSnapshot(value, path);
}
