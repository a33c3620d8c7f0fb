import { describe, expect, it } from 'vitest';
import { durabilityProblems } from '../../src/store/durability.js';

/** The judgement of a Redis configuration read with CONFIG GET (pure). */
describe('durabilityProblems', () => {
  const codes = (cfg: Parameters<typeof durabilityProblems>[0]): string[] =>
    durabilityProblems(cfg).map((p) => p.code);

  it('finds nothing wrong with AOF or RDB snapshots and noeviction', () => {
    expect(codes({ appendonly: 'yes', save: '', maxmemoryPolicy: 'noeviction' })).toEqual([]);
    expect(
      codes({ appendonly: 'no', save: '3600 1 300 100 60 10000', maxmemoryPolicy: 'noeviction' }),
    ).toEqual([]);
  });

  it('calls no AOF and no save points "no-persistence", and any other policy "may-evict"', () => {
    expect(codes({ appendonly: 'no', save: '', maxmemoryPolicy: 'noeviction' })).toEqual(['no-persistence']);
    expect(codes({ appendonly: 'no', save: ' ', maxmemoryPolicy: 'allkeys-lru', maxmemory: '0' })).toEqual([
      'no-persistence',
      'may-evict',
    ]);
    const [evict] = durabilityProblems({
      appendonly: 'yes',
      save: '',
      maxmemoryPolicy: 'volatile-lru',
      maxmemory: '104857600',
    });
    expect(evict?.message).toMatch(/maxmemory-policy volatile-lru, maxmemory 104857600.*noeviction/);
  });
});
