import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReplayServer, type ReplayServer, type ReplayServerOptions } from '../../src/replay/server.js';

/** Shared by the HTTP tests of the Federal Register client, the sources and the replay server. */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEV_CORPUS = join(ROOT, 'test', 'fixtures', 'corpus', 'dev');
export const REAL = join(ROOT, 'test', 'fixtures', 'real');

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A unique hash-tagged Redis key prefix per test (`{fw-test-…}:`). */
export function testPrefix(): string {
  return `{fw-test-${randomBytes(6).toString('hex')}}:`;
}

/**
 * A copy of the dev corpus in a temporary directory, with some publication dates moved so that
 * several documents share a date. Returns the directory and a cleanup function.
 */
export function corpusWithDates(moves: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-corpus-'));
  cpSync(DEV_CORPUS, dir, { recursive: true });
  for (const [number, date] of Object.entries(moves)) {
    const file = join(dir, 'api', `${number}.json`);
    const record = readJson<Record<string, unknown>>(file);
    record.publication_date = date;
    writeFileSync(file, JSON.stringify(record, null, 2));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startReplay(options: Partial<ReplayServerOptions> = {}): Promise<ReplayServer> {
  return createReplayServer({ corpusDir: DEV_CORPUS, now: '2035-01-01T00:00:00Z', ...options });
}

/** The BIS documents of a corpus's api/ directory, read independently of the server. */
export function bisDocuments(dir: string, files: string[]): Array<{ number: string; date: string }> {
  const out: Array<{ number: string; date: string }> = [];
  for (const f of files) {
    const r = readJson<{
      document_number?: string;
      publication_date?: string;
      agencies?: Array<{ slug?: string }>;
    }>(join(dir, 'api', f));
    if (!r.document_number || !r.publication_date) continue;
    if (!(r.agencies ?? []).some((a) => a.slug === 'industry-and-security-bureau')) continue;
    out.push({ number: r.document_number, date: r.publication_date });
  }
  return out;
}

/** JSON answers are inspected field by field in tests; `any` keeps those assertions short. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: Json }> {
  return getJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
