import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePromtool } from './promtool.js';

/**
 * The Prometheus configuration shipped in ops/ (used by docker-compose.yml): promtool accepts the
 * scrape configuration and the alert rules, and the rules' unit tests (ops/alerts.test.yml) pass.
 */
let promtool: string;

beforeAll(() => {
  promtool = ensurePromtool();
}, 300_000);

function run(...args: string[]): { status: number | null; output: string } {
  const res = spawnSync(promtool, args, { encoding: 'utf8' });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

describe('ops/ for Prometheus', () => {
  it('has a scrape configuration and alert rules promtool accepts', () => {
    const check = run('check', 'config', 'ops/prometheus.yml');
    expect(check.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(check.status, check.output).toBe(0);
  });

  it('has alerts that fire when they should and stay quiet otherwise', () => {
    const test = run('test', 'rules', 'ops/alerts.test.yml');
    expect(test.status, test.output).toBe(0);
  });
});
