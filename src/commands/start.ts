import type { Role } from '../config.js';
import { isAppError } from '../errors.js';
import { startService, type ServiceOptions } from '../service.js';
import type { CommandIO } from './io.js';
import { configWithRedis } from './redis-bootstrap.js';

/**
 * `fedreg-watch start` (and `npm start`): every role in one process with the HTTP server, until
 * SIGTERM or SIGINT; then jobs in flight finish and everything closes in order.
 */
export async function startCommand(
  _argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return runRoles(undefined, io, env);
}

/**
 * Runs the given roles (all, or FEDREG_ROLES, when undefined) until a signal: what `start` and
 * each `workers/*` entry point do.
 */
export async function runRoles(
  roles: readonly Role[] | undefined,
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
  extra: Omit<ServiceOptions, 'config'> = {},
): Promise<number> {
  const config = await configWithRedis(roles ? { ...env, FEDREG_ROLES: roles.join(',') } : env, io);
  if (typeof config === 'number') return config;
  let service;
  try {
    service = await startService({ config, ...extra });
  } catch (err) {
    // A refusal to start (REQUIRE_DURABLE_REDIS on a Redis that keeps nothing, a port held by
    // another process) is a message, not a crash; the service has released all it had acquired,
    // so nothing keeps the process alive once this returns.
    if (!isAppError(err)) throw err;
    io.stderr.write(`fedreg-watch: error [${err.code}]: ${err.message}\n`);
    return 78;
  }
  const { logger } = service.ctx;
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'signal received');
  // A second signal, or a shutdown that cannot finish (Redis gone while jobs were in flight), ends
  // the process anyway: whatever was in flight goes back to its queue when its lock lapses.
  const forced = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('a second SIGTERM'));
    process.once('SIGINT', () => resolve('a second SIGINT'));
    setTimeout(
      () => resolve(`the ${config.shutdownTimeoutMs} ms shutdown deadline`),
      config.shutdownTimeoutMs,
    ).unref();
  });
  const outcome = await Promise.race([service.close().then(() => undefined), forced]);
  if (outcome === undefined) return 0;
  logger.error(
    { reason: outcome },
    'shutdown did not finish; exiting now (jobs in flight will be taken up again)',
  );
  // Handles left open by the unfinished shutdown (Redis reconnecting) would keep the process alive.
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  process.exit(1);
}
