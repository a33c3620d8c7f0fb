import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { FR_API_REQUESTS_PER_SECOND, FR_XML_REQUESTS_PER_SECOND } from '../../src/federal-register/client.js';
import { SOURCES_REQUESTS_PER_SECOND } from '../../src/sources/fetch.js';

/**
 * Pure tier: the rate budgets and the job lock keep their production values unless set, and tests
 * (or an operator against a replay server) can lower them within checked ranges.
 */
describe('rate limits, job lock and stalled-job check', () => {
  it('default to the Federal Register limits, a 15 s lock and a check every third of it', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({ frApiPerSecond: 5, frXmlPerSecond: 1, sourcesPerSecond: 1 });
    // The same as the clients' own defaults.
    expect(config.rateLimits).toEqual({
      frApiPerSecond: FR_API_REQUESTS_PER_SECOND,
      frXmlPerSecond: FR_XML_REQUESTS_PER_SECOND,
      sourcesPerSecond: SOURCES_REQUESTS_PER_SECOND,
    });
    expect(config.jobLockMs).toBe(15_000);
    expect(config.jobStalledIntervalMs).toBe(5_000);
  });

  it('follow the environment, the stalled check a third of the lock when not set itself', () => {
    const config = loadConfig({
      FR_API_REQUESTS_PER_SECOND: '500',
      FR_XML_REQUESTS_PER_SECOND: '200',
      SOURCES_REQUESTS_PER_SECOND: '100',
      JOB_LOCK_MS: '2000',
    });
    expect(config.rateLimits).toEqual({ frApiPerSecond: 500, frXmlPerSecond: 200, sourcesPerSecond: 100 });
    expect(config.jobLockMs).toBe(2_000);
    expect(config.jobStalledIntervalMs).toBe(667);
    expect(loadConfig({ JOB_STALLED_INTERVAL_MS: '250' }).jobStalledIntervalMs).toBe(250);
  });

  it('refuse values out of range, all reported together', () => {
    const problems = (() => {
      try {
        loadConfig({
          FR_API_REQUESTS_PER_SECOND: '0',
          FR_XML_REQUESTS_PER_SECOND: '1.5',
          SOURCES_REQUESTS_PER_SECOND: '20000',
          JOB_LOCK_MS: '1000',
          JOB_STALLED_INTERVAL_MS: '50',
        });
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    })();
    expect(problems).toMatch(/FR_API_REQUESTS_PER_SECOND=0: expected an integer ≥ 1 and ≤ 10000/);
    expect(problems).toMatch(/FR_XML_REQUESTS_PER_SECOND=1\.5: expected an integer/);
    expect(problems).toMatch(/SOURCES_REQUESTS_PER_SECOND=20000: expected an integer ≥ 1 and ≤ 10000/);
    expect(problems).toMatch(/JOB_LOCK_MS=1000: expected an integer ≥ 2000/);
    expect(problems).toMatch(/JOB_STALLED_INTERVAL_MS=50: expected an integer ≥ 100/);
  });
});
