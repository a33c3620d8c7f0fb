import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { decode, decodeOptional, isObject, isSnapshot, isStringArray } from '../../src/store/codec.js';

describe('decode', () => {
  it('returns the value when it is JSON of the expected shape', () => {
    expect(decode('{"asOf":"2026-07-23","entries":[]}', 'k', isSnapshot)).toEqual({
      asOf: '2026-07-23',
      entries: [],
    });
    expect(decode('["a","b"]', 'k', isStringArray)).toEqual(['a', 'b']);
    expect(decodeOptional(null, 'k', isObject)).toBeUndefined();
  });

  it('fails with STORE_CORRUPT naming the key and field, on text that is not JSON', () => {
    const err = (() => {
      try {
        return decode('{"asOf":', { key: '{t}:sources:ecfr:snapshot' }, isSnapshot);
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as Error).message).toBe('{t}:sources:ecfr:snapshot: expected JSON, found "{\\"asOf\\":"');
  });

  it('fails with STORE_CORRUPT on JSON of another shape', () => {
    expect(() =>
      decode('{"asOf":"2026-07-23"}', { key: '{t}:state:baseline', field: 'x' }, isSnapshot),
    ).toThrow('{t}:state:baseline (field x): the stored value is not of the expected shape (Snapshot)');
    expect(() => decode('[1]', 'k', isStringArray)).toThrow(/not of the expected shape/);
  });
});
