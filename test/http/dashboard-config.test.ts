import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

/** Pure tier: the dashboard is read-only by default in production, and either way on request. */
describe('DASHBOARD_READ_ONLY', () => {
  it('defaults to true in production and to false elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).dashboardReadOnly).toBe(true);
    expect(loadConfig({}).dashboardReadOnly).toBe(false);
  });

  it('is what the operator says when set', () => {
    expect(loadConfig({ NODE_ENV: 'production', DASHBOARD_READ_ONLY: 'false' }).dashboardReadOnly).toBe(
      false,
    );
    expect(loadConfig({ DASHBOARD_READ_ONLY: 'true' }).dashboardReadOnly).toBe(true);
    expect(() => loadConfig({ DASHBOARD_READ_ONLY: 'maybe' })).toThrow(/DASHBOARD_READ_ONLY/);
  });
});
