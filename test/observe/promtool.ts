import { spawnSync } from 'node:child_process';

/**
 * `promtool check metrics`, from Debian's `prometheus` package. Installed when missing (as root, or
 * through passwordless sudo); where that is impossible the caller fails with this message rather
 * than skipping, so an exposition nobody checked never passes as checked.
 */
export function ensurePromtool(): string {
  const found = which('promtool');
  if (found) return found;
  const install =
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ' +
    '-o DPkg::Lock::Timeout=300 prometheus';
  const asRoot = process.getuid?.() === 0 ? ['sh', '-c', install] : ['sudo', '-n', 'sh', '-c', install];
  const res = spawnSync(asRoot[0]!, asRoot.slice(1), { encoding: 'utf8' });
  const installed = which('promtool');
  if (!installed) {
    throw new Error(
      'promtool is needed to check the /metrics exposition and could not be installed ' +
        `(${asRoot.join(' ')} exited ${res.status ?? res.signal}: ${(res.stderr || res.error?.message || '').trim().slice(-500)}). ` +
        'Install it with `sudo apt-get install prometheus` (Debian/Ubuntu) or put a promtool binary on PATH.',
    );
  }
  return installed;
}

export interface PromtoolResult {
  ok: boolean;
  /** What promtool printed: one line per problem. */
  output: string;
}

/** Runs `promtool check metrics` on an exposition; promtool exits non-zero on any lint problem. */
export function checkMetrics(promtool: string, exposition: string): PromtoolResult {
  const res = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (res.error) throw res.error;
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

function which(bin: string): string | undefined {
  const res = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  const path = res.stdout.trim();
  return res.status === 0 && path ? path : undefined;
}
