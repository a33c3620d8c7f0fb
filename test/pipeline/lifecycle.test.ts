import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/lifecycle.js';
import { createLogger } from '../../src/observe/logger.js';

const logger = createLogger('silent');

describe('Lifecycle', () => {
  it('releases what a failed start acquired, last first, and rethrows the start’s error', async () => {
    const life = new Lifecycle(logger);
    const log: string[] = [];
    const failure = new Error('listen EADDRINUSE');
    await expect(
      life.start(async () => {
        await life.acquire(
          'redis',
          () => log.push('+redis'),
          () => log.push('-redis'),
        );
        await life.acquire('check', () => log.push('+check'));
        await life.acquire(
          'http',
          () => log.push('+http'),
          () => log.push('-http'),
        );
        await life.acquire('listen', () => {
          throw failure;
        });
        await life.acquire(
          'workers',
          () => log.push('+workers'),
          () => log.push('-workers'),
        );
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual(['+redis', '+check', '+http', '-http', '-redis']);
  });

  it('runs every release even when one fails, and releases once however often it is asked', async () => {
    const life = new Lifecycle(logger);
    const log: string[] = [];
    await life.start(async () => {
      await life.acquire(
        'a',
        () => 'A',
        (a) => log.push(`-${a}`),
      );
      await life.acquire(
        'b',
        () => 'B',
        () => Promise.reject(new Error('b would not close')),
      );
      await life.acquire(
        'c',
        () => 'C',
        (c) => log.push(`-${c}`),
      );
    });
    await Promise.all([life.release(), life.release()]);
    await life.release();
    expect(log).toEqual(['-C', '-A']);
    await expect(life.acquire('late', () => 1)).rejects.toThrow(/being released/);
  });
});
