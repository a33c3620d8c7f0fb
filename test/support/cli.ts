import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const RSS_PRELOAD = join(ROOT, 'test', 'support', 'report-rss.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child, in MB. */
  peakRssMb: number;
}

/** Runs the built CLI as users do (`node dist/src/cli.js …`), with a heap cap and RSS report. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; maxOldSpaceMb?: number; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const nodeArgs = ['--require', RSS_PRELOAD];
    if (options.maxOldSpaceMb) nodeArgs.push(`--max-old-space-size=${options.maxOldSpaceMb}`);
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rss = /\[peak-rss-kb (\d+)\]/.exec(stderr);
      resolve({
        code,
        stdout,
        stderr: stderr.replace(/\n?\[peak-rss-kb \d+\]\n?/, ''),
        peakRssMb: rss ? Number(rss[1]) / 1024 : NaN,
      });
    });
    child.stdin.end(options.input ?? '');
  });
}
