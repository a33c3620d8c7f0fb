import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isIsoDate, parseSnapshot } from '../entity-list/snapshot.js';
import type { Snapshot } from '../entity-list/types.js';
import { DocumentCursor } from '../store/cursor.js';
import { addDays } from '../federal-register/dates.js';
import { createLogger } from '../observe/logger.js';
import { backfill } from '../pipeline/backfill.js';
import { registerSchedulers, schedulerPlans } from '../queues/index.js';
import { buildContext, contextClosers, runSteps } from '../service.js';
import { fetchEcfrEntityList } from '../sources/fetch.js';
import { clearDeploymentData } from '../store/deployment.js';
import { refusal, type CommandIO } from './io.js';
import { configWithRedis } from './redis-bootstrap.js';
import { readSubscriptionsExport } from './subscriptions.js';

/**
 * `fedreg-watch recover`: the one operator act after Redis lost the deployment's data.
 *
 *   recover --snapshot FILE [--since DATE] [--subscriptions EXPORT.json] [--force]
 *   recover --from-ecfr --since DATE [--subscriptions EXPORT.json] [--force]
 *
 * It clears what is left of the deployment in Redis (subscriptions excepted), imports the state
 * (a snapshot, or eCFR Supplement No. 4 as of the day before --since), restores the subscriptions
 * from an export when given one, writes a new deployment marker, re-creates the job schedulers and
 * walks the Federal Register from --since to today the way `backfill` does: every change published
 * since then is an event again, with the id it had before the loss, so receivers de-duplicate it.
 * A running service sees the new marker and resumes on its own.
 */
const USAGE =
  'usage: fedreg-watch recover --snapshot FILE [--since YYYY-MM-DD] [--subscriptions EXPORT.json] [--force]\n' +
  '       fedreg-watch recover --from-ecfr --since YYYY-MM-DD [--subscriptions EXPORT.json] [--force]\n';

export async function recoverCommand(
  argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values: {
    snapshot?: string;
    'from-ecfr'?: boolean;
    since?: string;
    subscriptions?: string;
    force?: boolean;
  };
  try {
    values = parseArgs({
      args: argv,
      options: {
        snapshot: { type: 'string' },
        'from-ecfr': { type: 'boolean' },
        since: { type: 'string' },
        subscriptions: { type: 'string' },
        force: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    io.stderr.write(`fedreg-watch recover: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  const fromEcfr = values['from-ecfr'] === true;
  if (fromEcfr === (values.snapshot !== undefined)) {
    io.stderr.write(`fedreg-watch recover: give either --snapshot FILE or --from-ecfr\n${USAGE}`);
    return 64;
  }
  if (values.since !== undefined && !isIsoDate(values.since)) {
    io.stderr.write(`fedreg-watch recover: --since must be a date like 2024-05-01\n${USAGE}`);
    return 64;
  }
  if (fromEcfr && values.since === undefined) {
    io.stderr.write(
      `fedreg-watch recover: --from-ecfr needs --since: the first day whose publications are read again\n${USAGE}`,
    );
    return 64;
  }

  let snapshot: Snapshot | undefined;
  try {
    if (values.snapshot) {
      snapshot = parseSnapshot(
        JSON.parse(await readFile(values.snapshot, 'utf8')) as unknown,
        values.snapshot,
      );
      const resume = addDays(snapshot.asOf, 1);
      if (values.since !== undefined && values.since !== resume) {
        io.stderr.write(
          `fedreg-watch recover: the snapshot is the list as of ${snapshot.asOf}, so polling resumes on ${resume}; ` +
            `--since ${values.since} would ${values.since > resume ? 'skip' : 'apply twice'} the documents in between. ` +
            `Give --since ${resume} (or leave it out), or use --from-ecfr --since ${values.since}.\n`,
        );
        return 64;
      }
    }
  } catch (err) {
    io.stderr.write(`error [SNAPSHOT_INVALID]: ${values.snapshot}: ${(err as Error).message}\n`);
    return 2;
  }
  const subscriptions = values.subscriptions ? await readSubscriptionsExport(values.subscriptions, io) : [];
  if (typeof subscriptions === 'number') return subscriptions;

  const config = await configWithRedis(env, io);
  if (typeof config === 'number') return config;
  const ctx = buildContext(config, { logger: createLogger(env.LOG_LEVEL ?? 'warn') });
  const controller = new AbortController();
  const stop = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  try {
    const status = await ctx.deployment.check(0);
    if (status.kind === 'intact' && (await ctx.state.isInitialised()) && !values.force) {
      io.stderr.write(
        `fedreg-watch recover: Redis still holds this deployment's data (marker epoch ${status.epoch}); nothing to recover.\n` +
          '  To rebuild it anyway from a snapshot or eCFR (subscriptions are kept), add --force.\n',
      );
      return 2;
    }
    const lostEpoch = status.kind === 'lost' ? status.lostEpoch : undefined;
    const since = values.since ?? addDays(snapshot!.asOf, 1);
    if (!snapshot) {
      const date = addDays(since, -1);
      io.stderr.write(`reading eCFR Supplement No. 4 to part 744 as of ${date} …\n`);
      ({ snapshot } = await fetchEcfrEntityList(ctx.sources.fetcher, {
        date,
        signal: controller.signal,
        budget: ctx.sources.budget,
        baseUrl: config.ecfrBaseUrl,
      }));
    }

    const cleared = await clearDeploymentData(ctx.redis, ctx.keys);
    await ctx.state.importBaseline(snapshot, { force: true, now: ctx.now() });
    if (fromEcfr) await ctx.sourceLists.setSnapshot('ecfr', snapshot);
    await new DocumentCursor(ctx.redis, { prefix: ctx.keys.federalRegister, startDate: since }).clear();
    const restored = await ctx.subscriptions.importAll(subscriptions, ctx.now());
    const marker = await ctx.deployment.store.replace('recover', ctx.now(), lostEpoch);
    await ctx.deployment.check(0);
    await registerSchedulers(ctx.queues, schedulerPlans(config));

    const summary = await backfill(ctx, { since }, controller.signal);
    // A running service resumes when it sees the new marker; these wake its lines at once.
    await ctx.queues.apply.add('apply', { v: 1, reason: 'recovered' });
    await ctx.queues.fanout.add('fanout', { v: 1 });
    const kept = (await ctx.subscriptions.list()).length;
    io.stdout.write(
      [
        `Recovered (new deployment epoch ${marker.epoch}${lostEpoch ? `, replacing ${lostEpoch}` : ''}):`,
        `  state                    ${snapshot.entries.length} entries as of ${snapshot.asOf} (${fromEcfr ? 'eCFR' : values.snapshot})`,
        `  keys cleared             ${cleared}`,
        `  subscriptions            ${restored} restored from the export, ${kept} in all`,
        `  polling resumes from     ${since} (job schedulers created)`,
        `  documents found          ${summary.found}, applied ${summary.applied}, quarantined ${summary.quarantined.length}`,
        `  deliveries queued        ${summary.queuedDeliveries}`,
        `  the list is now as of    ${summary.asOf}, ${summary.entries} entries`,
        ...(kept === 0
          ? [
              '  NO SUBSCRIPTIONS: re-create them (POST /v1/subscriptions) or run recover again with --subscriptions EXPORT.json',
            ]
          : []),
        '',
      ].join('\n'),
    );
    return summary.quarantined.length > 0 ? 3 : 0;
  } catch (err) {
    return refusal(io, err);
  } finally {
    process.off('SIGINT', stop);
    await runSteps(ctx.logger, contextClosers(ctx));
  }
}
