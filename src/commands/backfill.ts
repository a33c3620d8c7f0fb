import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { isIsoDate } from '../entity-list/snapshot.js';
import { createLogger } from '../observe/logger.js';
import { backfill, type BackfillProgress } from '../pipeline/backfill.js';
import { buildContext, contextClosers, runSteps } from '../service.js';
import { refusal, type CommandIO } from './io.js';
import { configWithRedis } from './redis-bootstrap.js';

/**
 * `fedreg-watch backfill --since DATE [--until DATE]`: walks the Federal Register (or a replay
 * server: FR_API_BASE_URL) over the range and applies what it finds to the state in Redis, with a
 * progress bar and a summary. Configuration comes from the environment, as for `start`.
 */
const USAGE = 'usage: fedreg-watch backfill --since YYYY-MM-DD [--until YYYY-MM-DD]\n';

export async function backfillCommand(
  argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let since: string | undefined;
  let until: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { since: { type: 'string' }, until: { type: 'string' } },
    });
    since = values.since;
    until = values.until;
  } catch (err) {
    io.stderr.write(`fedreg-watch backfill: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if (!since || !isIsoDate(since) || (until !== undefined && !isIsoDate(until))) {
    io.stderr.write(`fedreg-watch backfill: --since (and --until) must be dates like 2019-10-01\n${USAGE}`);
    return 64;
  }
  const config = await configWithRedis(env, io);
  if (typeof config === 'number') return config;

  const ctx = buildContext(config, { logger: createLogger(env.LOG_LEVEL ?? 'warn') });
  const bar = new cliProgress.SingleBar(
    {
      format: ' {phase} [{bar}] {value}/{total} {doc}',
      hideCursor: true,
      noTTYOutput: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const progress = (p: BackfillProgress): void => {
    if (!process.stderr.isTTY) return;
    if (!started && p.total > 0) {
      bar.start(p.total, p.done, { phase: p.phase, doc: '' });
      started = true;
    }
    if (started) bar.update(p.done, { phase: p.phase.padEnd(7), doc: p.documentNumber ?? '' });
  };
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  try {
    // Applying documents to a Redis that lost the deployment's data would paper over the loss.
    const status = await ctx.deployment.check(0);
    if (status.kind === 'lost') {
      io.stderr.write(
        `error [REDIS_DATA_LOST]: ${status.reason}.\n  Recover first with: fedreg-watch recover --snapshot FILE | --from-ecfr --since ${since}\n`,
      );
      return 2;
    }
    const summary = await backfill(ctx, { since, ...(until ? { until } : {}) }, controller.signal, progress);
    if (started) bar.stop();
    io.stdout.write(
      [
        `Backfill ${since} … ${until ?? 'today'}:`,
        `  documents found          ${summary.found} (${summary.alreadyKnown} already known)`,
        `  extracted                ${summary.extracted}`,
        `  applied                  ${summary.applied}`,
        `  quarantined              ${summary.quarantined.length}${summary.quarantined.length ? `: ${summary.quarantined.join(', ')} (see GET /v1/documents/<number>)` : ''}`,
        `  deliveries queued        ${summary.queuedDeliveries}`,
        `  the list is now as of    ${summary.asOf}, ${summary.entries} entries`,
        '',
      ].join('\n'),
    );
    return summary.quarantined.length > 0 ? 3 : 0;
  } catch (err) {
    if (started) bar.stop();
    return refusal(io, err);
  } finally {
    process.off('SIGINT', stop);
    await runSteps(ctx.logger, contextClosers(ctx));
  }
}
