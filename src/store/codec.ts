import type { Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';

/**
 * Stored JSON values are read back through here, and only here: each is parsed and checked
 * against the shape its key holds, so that a value written by a bug, an older version or a hand
 * at `redis-cli` fails as `STORE_CORRUPT` naming the key, instead of as a `TypeError` far from it.
 * The checks are shallow (the fields readers branch on); writers are our own code.
 */
export type Shape<T> = (value: unknown) => value is T;

/** Where a value was read: its key, and the hash field or list position when there is one. */
export interface StoredAt {
  key: string;
  field?: string;
}

export function decode<T>(raw: string, at: StoredAt | string, shape: Shape<T>): T {
  const where = typeof at === 'string' ? { key: at } : at;
  const name = where.field === undefined ? where.key : `${where.key} (field ${where.field})`;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new AppError('STORE_CORRUPT', `${name}: expected JSON, found ${preview(raw)}`, {
      cause: err,
      context: { ...where },
    });
  }
  if (!shape(value)) {
    throw new AppError(
      'STORE_CORRUPT',
      `${name}: the stored value is not of the expected shape (${shape.name || 'shape'}), found ${preview(raw)}`,
      { context: { ...where } },
    );
  }
  return value;
}

/** `decode` of a value that may be absent (a GET or HGET of nothing). */
export function decodeOptional<T>(
  raw: string | null | undefined,
  at: StoredAt | string,
  shape: Shape<T>,
): T | undefined {
  return raw === null || raw === undefined ? undefined : decode(raw, at, shape);
}

function preview(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

// --- Shapes -----------------------------------------------------------------------------------

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any JSON value at all: for values passed through untouched (an API's `accepted` facts). */
export function isJson(value: unknown): value is unknown {
  return value !== undefined;
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** An object whose named fields are strings (when `optional`, absent or a string). */
export function objectWith<T>(
  name: string,
  required: readonly string[],
  arrays: readonly string[] = [],
): Shape<T> {
  const check = (value: unknown): value is T =>
    isObject(value) &&
    required.every((f) => typeof value[f] === 'string') &&
    arrays.every((f) => Array.isArray(value[f]));
  Object.defineProperty(check, 'name', { value: name });
  return check;
}

/** A list as of a date (the baseline, a source's accepted or held list). */
export const isSnapshot: Shape<Snapshot> = function Snapshot(v): v is Snapshot {
  return isObject(v) && typeof v.asOf === 'string' && Array.isArray(v.entries);
};
