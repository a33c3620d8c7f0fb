import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Standard Webhooks symmetric signatures (spec/standard-webhooks.md, "Signature scheme"):
 * `v1,` + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), the key being the base64-decoded
 * part of a `whsec_` secret. Pure: values in, values out; the caller passes the clock.
 */

export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';
/** The spec's recommended replay window for receivers. */
export const DEFAULT_TOLERANCE_SEC = 5 * 60;

const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const DIGEST_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// The id is part of the signed content and a header value: no `.` (it delimits the signed content,
// per the spec) and no whitespace or control characters (header injection).
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

export interface GenerateSecretOptions {
  /** Key length in bytes; the spec asks for at least 24 (192 bits) and at most 64. */
  bytes?: number;
  /** Source of randomness, injectable for tests. */
  random?: (size: number) => Uint8Array;
}

/** A new subscription secret: `whsec_` + base64 of 32 random bytes by default. */
export function generateSecret(options: GenerateSecretOptions = {}): string {
  const bytes = options.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new AppError(
      'INPUT_INVALID',
      `generateSecret: expected ${MIN_SECRET_BYTES}–${MAX_SECRET_BYTES} bytes, got ${String(bytes)}`,
    );
  }
  const key = (options.random ?? randomBytes)(bytes);
  if (key.length !== bytes) {
    throw new AppError(
      'INPUT_INVALID',
      `generateSecret: random source returned ${key.length} bytes, asked for ${bytes}`,
    );
  }
  return SECRET_PREFIX + Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64');
}

/**
 * The HMAC key of a secret, given with or without its `whsec_` prefix. The error never repeats the
 * secret: it says what was wrong with it.
 */
export function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new AppError(
      'WEBHOOK_SECRET_INVALID',
      `webhook secret: expected "${SECRET_PREFIX}" followed by base64, found ${encoded.length} characters that are not base64; rotate the subscription's secret`,
    );
  }
  return Buffer.from(encoded, 'base64');
}

export interface SignInput {
  /** The webhook id (the event id): same on every attempt, the receiver's idempotency key. */
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  /** The exact bytes sent as the body. */
  body: string | Uint8Array;
  secret: string;
}

function checkId(id: string): void {
  if (!WEBHOOK_ID.test(id)) {
    throw new AppError(
      'WEBHOOK_ID_INVALID',
      `webhook id: expected 1–256 printable ASCII characters without "." or spaces, found ${JSON.stringify(id.slice(0, 80))}`,
    );
  }
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new AppError(
      'INPUT_INVALID',
      `webhook timestamp: expected whole unix seconds, got ${String(timestamp)}`,
    );
  }
}

function digest(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  // Feed the parts separately rather than concatenating: the body may be large.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** `v1,<base64>` for one secret. */
export function sign(input: SignInput): string {
  checkId(input.id);
  checkTimestamp(input.timestamp);
  const key = decodeSecret(input.secret);
  return `${SIGNATURE_VERSION},${digest(key, input.id, input.timestamp, input.body).toString('base64')}`;
}

/**
 * The `webhook-signature` header value: one signature per secret, space-separated, so a subscriber
 * keeps verifying during a secret rotation (old and new secret both sign for a while).
 */
export function signatureHeader(input: Omit<SignInput, 'secret'> & { secrets: readonly string[] }): string {
  if (input.secrets.length === 0) {
    throw new AppError('WEBHOOK_SECRET_INVALID', 'webhook secret: no secret to sign with');
  }
  checkId(input.id);
  checkTimestamp(input.timestamp);
  let header = '';
  for (const secret of input.secrets) {
    const mac = digest(decodeSecret(secret), input.id, input.timestamp, input.body).toString('base64');
    header += `${header === '' ? '' : ' '}${SIGNATURE_VERSION},${mac}`;
  }
  return header;
}

/** Header access for plain objects (node:http `IncomingHttpHeaders`) and fetch `Headers`. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return typeof value === 'string' ? value : value?.join(' ');
}

export type VerifyFailureReason =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

export type VerifyResult =
  { ok: true; id: string; timestamp: number } | { ok: false; reason: VerifyFailureReason; error: AppError };

export interface VerifyInput {
  headers: HeaderSource;
  body: string | Uint8Array;
  /** Every secret currently valid for the subscription (more than one during a rotation). */
  secrets: readonly string[];
  /** Allowed distance between the attempt's timestamp and `now`, either way. */
  toleranceSec?: number;
  /** Current time in ms since the epoch. */
  now: number;
}

function failure(reason: VerifyFailureReason, message: string): VerifyResult {
  return {
    ok: false,
    reason,
    error: new AppError('WEBHOOK_SIGNATURE_INVALID', message, { context: { reason } }),
  };
}

/** Receiver-side check, as the spec describes it: headers present, timestamp fresh, one signature matches. */
export function verify(input: VerifyInput): VerifyResult {
  const id = header(input.headers, 'webhook-id');
  const rawTimestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (!id || !rawTimestamp || !signatures) {
    const missing = [
      !id && 'webhook-id',
      !rawTimestamp && 'webhook-timestamp',
      !signatures && 'webhook-signature',
    ];
    return failure('missing_header', `webhook verification: missing ${missing.filter(Boolean).join(', ')}`);
  }
  if (!/^\d{1,15}$/.test(rawTimestamp)) {
    return failure('invalid_timestamp', 'webhook verification: webhook-timestamp is not whole unix seconds');
  }
  const timestamp = Number(rawTimestamp);
  const tolerance = input.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const nowSec = Math.floor(input.now / 1000);
  if (timestamp < nowSec - tolerance) {
    return failure(
      'timestamp_too_old',
      `webhook verification: timestamp is ${nowSec - timestamp} s old, over ${tolerance} s`,
    );
  }
  if (timestamp > nowSec + tolerance) {
    return failure(
      'timestamp_too_new',
      `webhook verification: timestamp is ${timestamp - nowSec} s ahead, over ${tolerance} s`,
    );
  }
  const expected = input.secrets.map((secret) => digest(decodeSecret(secret), id, timestamp, input.body));
  for (const token of signatures.split(' ')) {
    const comma = token.indexOf(',');
    if (comma < 0 || token.slice(0, comma) !== SIGNATURE_VERSION) continue;
    const given = Buffer.from(token.slice(comma + 1), 'base64');
    if (given.length !== DIGEST_BYTES) continue;
    // Compare against every secret without returning early on a mismatch: constant time per pair.
    if (expected.some((mac) => timingSafeEqual(mac, given))) return { ok: true, id, timestamp };
  }
  return failure(
    'no_matching_signature',
    'webhook verification: no v1 signature matches the body and secrets',
  );
}
