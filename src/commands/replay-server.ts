import { resolve } from 'node:path';
import { isAppError } from '../errors.js';
import { createReplayServer, parseClock } from '../replay/server.js';
import type { CommandIO } from './io.js';

/**
 * `fedreg-watch replay-server --corpus DIR [--port N] [--host H] [--now ISO]`
 *
 * Serves a Federal Register API-compatible HTTP API from a corpus directory until SIGTERM or
 * SIGINT, then closes. Prints the base URL on stdout.
 */

const USAGE = 'usage: fedreg-watch replay-server --corpus DIR [--port N] [--host H] [--now ISO-DATE]\n';

export interface ReplayServerArgs {
  corpus: string;
  port: number;
  host: string;
  now?: string;
}

/** Pure argument parsing; returns an error message instead of throwing. */
export function parseReplayServerArgs(argv: readonly string[]): ReplayServerArgs | { error: string } {
  const out: Partial<ReplayServerArgs> = { port: 0, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--corpus': {
        const v = value();
        if (!v) return { error: '--corpus needs a directory' };
        out.corpus = v;
        break;
      }
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!v || !Number.isInteger(n) || n < 0 || n > 65535)
          return { error: `--port needs a port number (0-65535), got ${JSON.stringify(v)}` };
        out.port = n;
        break;
      }
      case '--host': {
        const v = value();
        if (!v) return { error: '--host needs a host name or address' };
        out.host = v;
        break;
      }
      case '--now': {
        const v = value();
        if (!v) return { error: '--now needs an ISO 8601 date or instant' };
        try {
          parseClock(v);
        } catch {
          return {
            error: `--now: ${JSON.stringify(v)} is not an ISO 8601 date or instant (e.g. 2019-10-09 or 2019-10-09T12:00:00Z)`,
          };
        }
        out.now = v;
        break;
      }
      case '--help':
      case '-h':
        return { error: '' };
      default:
        return { error: `unknown argument ${JSON.stringify(arg)}` };
    }
  }
  if (!out.corpus) return { error: '--corpus DIR is required' };
  return out as ReplayServerArgs;
}

export interface ReplayServerCommandOptions {
  /** Resolves when the server should stop; default: the process's SIGTERM or SIGINT. */
  until?: Promise<unknown>;
}

export async function replayServerCommand(
  argv: string[],
  io: CommandIO,
  options: ReplayServerCommandOptions = {},
): Promise<number> {
  const args = parseReplayServerArgs(argv);
  if ('error' in args) {
    if (args.error) io.stderr.write(`fedreg-watch replay-server: ${args.error}\n`);
    io.stderr.write(USAGE);
    return args.error ? 64 : 0;
  }
  let server;
  try {
    server = await createReplayServer({
      corpusDir: resolve(args.corpus),
      host: args.host,
      port: args.port,
      ...(args.now ? { now: args.now } : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    });
  } catch (err) {
    const message = isAppError(err) ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`fedreg-watch replay-server: ${message}\n`);
    return isAppError(err, 'INPUT_INVALID') ? 66 : 1;
  }
  io.stdout.write(`${server.url}\n`);
  io.stderr.write(`replay-server: API base ${server.apiBase} (set FR_API_BASE_URL to it); Ctrl-C to stop\n`);

  const stop =
    options.until ??
    new Promise<string>((resolveStop) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolveStop(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  await stop;
  await server.close();
  io.stderr.write('replay-server: closed\n');
  return 0;
}
