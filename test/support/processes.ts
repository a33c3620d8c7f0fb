import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/store/local-redis.js';
import { ROOT } from './cli.js';
import { ADMIN_TOKEN, FAST_LIMITS } from './service.js';

/** The service as a real process (`node dist/workers/<entry>.js`), for kill and restart trials. */
export interface ServiceProcess {
  child: ChildProcess;
  api: string;
  /** Everything the process wrote, for diagnosing a failed trial. */
  output: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function spawnService(
  env: Record<string, string>,
  entry: 'all' | 'poll' | 'document' | 'apply' | 'fanout' | 'deliver' | 'http' = 'all',
): Promise<ServiceProcess> {
  const port = env.HTTP_PORT ?? String(await freePort());
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'workers', `${entry}.js`)], {
    cwd: ROOT,
    env: {
      ...process.env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: port,
      ADMIN_TOKEN,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      PUBLIC_INSPECTION_ENABLED: 'false',
      ECFR_ENABLED: 'false',
      CSL_ENABLED: 'false',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      START_LOCAL_REDIS: 'false',
      ...FAST_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    api: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
