/**
 * `fedreg-watch export --state SNAPSHOT.json --format csl-csv|csl-json|ftm|ftm-delta
 *   [--events EVENTS.jsonl] [--as-of DATE] [--since DATE] [--country DESTINATION]`
 *
 * Prints the list in a format screening tools already read (the same bytes as the HTTP API's
 * `/v1/exports/*`), written out as it is built. `--as-of` exports the list as it stood on a date:
 * the snapshot plus the change events of `--events` (as `apply --events` writes them) that took
 * effect by then; without events only the snapshot's own date or later can be asked for.
 * `ftm-delta` prints OpenSanctions delta lines for what changed after `--since` (needs `--events`).
 *
 * Exit codes: 0 done; 2 an input could not be read or is invalid; 64 usage.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseSnapshot } from '../entity-list/snapshot.js';
import type { Snapshot } from '../entity-list/types.js';
import { AppError, isAppError } from '../errors.js';
import type { CloudEvent } from '../events/cloudevent.js';
import { isCalendarDate } from '../exports/dates.js';
import { snapshotAsOf } from '../exports/history.js';
import { selectEntries } from '../exports/select.js';
import { EXPORT_FORMATS, exportChunks, ftmDeltaChunks, type ExportFormat } from '../exports/stream.js';
import type { CommandIO } from './io.js';

const FORMATS = [...EXPORT_FORMATS, 'ftm-delta'] as const;
const USAGE = `usage: fedreg-watch export --state SNAPSHOT.json --format ${FORMATS.join('|')} [--events EVENTS.jsonl] [--as-of DATE] [--since DATE] [--country DESTINATION]\n`;

interface Args {
  state: string;
  format: (typeof FORMATS)[number];
  events?: string;
  asOf?: string;
  since?: string;
  country?: string;
}

function parse(argv: string[]): Args | { usage: string; help?: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      format: { type: 'string' },
      events: { type: 'string' },
      'as-of': { type: 'string' },
      since: { type: 'string' },
      country: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { usage: '', help: true };
  if (!values.state) return { usage: '--state SNAPSHOT.json is required' };
  const format = values.format ?? '';
  if (!(FORMATS as readonly string[]).includes(format))
    return { usage: `--format: expected one of ${FORMATS.join(', ')}, got "${format}"` };
  for (const [name, value] of [
    ['--as-of', values['as-of']],
    ['--since', values.since],
  ] as const) {
    if (value !== undefined && !isCalendarDate(value))
      return { usage: `${name}=${value}: expected a calendar date YYYY-MM-DD` };
  }
  if (format === 'ftm-delta' && (!values.since || !values.events))
    return { usage: 'ftm-delta needs --since DATE and --events EVENTS.jsonl' };
  return {
    state: values.state,
    format: format as Args['format'],
    ...(values.events ? { events: values.events } : {}),
    ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
    ...(values.since ? { since: values.since } : {}),
    ...(values.country ? { country: values.country } : {}),
  };
}

export async function exportCommand(argv: string[], io: CommandIO): Promise<number> {
  let args: Args;
  try {
    const parsed = parse(argv);
    if ('usage' in parsed) {
      if (parsed.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      io.stderr.write(`fedreg-watch export: ${parsed.usage}\n${USAGE}`);
      return 64;
    }
    args = parsed;
  } catch (err) {
    io.stderr.write(`fedreg-watch export: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }

  let chunks: AsyncGenerator<string>;
  try {
    const baseline = parseSnapshot(await readJson(args.state, 'snapshot'), args.state);
    const events = args.events ? await readEvents(args.events) : [];
    const at = (date: string | undefined): Snapshot => {
      if (date === undefined) return args.events ? snapshotAsOf(baseline, events, '9999-12-31') : baseline;
      if (date < baseline.asOf)
        throw new AppError(
          'INPUT_INVALID',
          `${date} is before the snapshot's date (${baseline.asOf}); the list's history starts there`,
        );
      return args.events ? snapshotAsOf(baseline, events, date) : { ...baseline, asOf: date };
    };
    const select = (s: Snapshot) => selectEntries(s.entries, args.country ? { country: args.country } : {});
    chunks =
      args.format === 'ftm-delta'
        ? ftmDeltaChunks(select(at(args.since)), select(at(args.asOf)))
        : exportChunks(args.format as ExportFormat, select(at(args.asOf)));
  } catch (err) {
    io.stderr.write(
      `fedreg-watch export: ${isAppError(err) ? `${err.code}: ${err.message}` : String(err)}\n`,
    );
    return 2;
  }
  const out = new Output(io);
  for await (const chunk of chunks) {
    if (out.closed) break;
    await out.write(chunk);
  }
  return 0;
}

type StreamLike = CommandIO['stdout'] & {
  once?: (event: string, cb: (...args: unknown[]) => void) => unknown;
  on?: (event: string, cb: (err: NodeJS.ErrnoException) => void) => unknown;
};

/**
 * Writes with backpressure when the output is a real stream, and stops quietly when the reader
 * goes away (`export … | head` closes the pipe: EPIPE is the reader's choice, not a failure).
 */
class Output {
  closed = false;
  private readonly out: StreamLike;
  constructor(io: CommandIO) {
    this.out = io.stdout as StreamLike;
    this.out.on?.('error', (err) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }
  async write(chunk: string): Promise<void> {
    if (this.out.write(chunk) === false && typeof this.out.once === 'function') {
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        this.out.once!('drain', done);
        this.out.once!('close', done);
        this.out.once!('error', done);
      });
    }
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('INPUT_INVALID', `${path}: cannot read the ${what} (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('SNAPSHOT_INVALID', `${path}: not JSON (${(err as Error).message})`);
  }
}

/** Change events, one JSON object per line, in the order they were applied. */
async function readEvents(path: string): Promise<CloudEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('INPUT_INVALID', `${path}: cannot read the events (${(err as Error).message})`);
  }
  const out: CloudEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as CloudEvent);
    } catch (err) {
      throw new AppError('INPUT_INVALID', `${path}, line ${i + 1}: not JSON (${(err as Error).message})`);
    }
  });
  return out;
}
