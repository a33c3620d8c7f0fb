import type { Role } from '../config.js';
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
  const service = await startService({ config, ...extra });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      service.ctx.logger.info({ signal }, 'signal received');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await service.close();
  return 0;
}
