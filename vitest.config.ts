import { defineConfig } from 'vitest/config';
import ProcessesFirst from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Child processes: the service tests spawn services, redis-servers and CLIs of their own.
    pool: 'forks',
    // Most of the suite's time is spent waiting on other processes (services, receivers,
    // redis-servers), not computing: four files at once keep 2 cores busy where the default (one
    // fewer than the cores) ran them one by one. Every file still runs in a process of its own.
    maxWorkers: 4,
    sequence: { sequencer: ProcessesFirst },
  },
});
