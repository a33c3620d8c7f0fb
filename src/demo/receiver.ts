import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../delivery/signing.js';
import type { CloudEvent } from '../events/cloudevent.js';

/**
 * The demo's webhook receiver: what a subscriber writes. It checks each delivery's Standard
 * Webhooks signature with the subscription's secret before trusting the body, answers 2xx, and
 * hands verified events on. Bad signatures are counted and refused with 400.
 */
export interface DemoReceiver {
  url: string;
  setSecret(secret: string): void;
  verified: number;
  rejected: number;
  /** Distinct event ids received. */
  ids: Set<string>;
  close(): Promise<void>;
}

export async function startDemoReceiver(onEvent: (event: CloudEvent) => void): Promise<DemoReceiver> {
  let secret = '';
  const state = { verified: 0, rejected: 0, ids: new Set<string>() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const check = verify({
        headers: req.headers as Record<string, string>,
        body,
        secrets: [secret],
        now: Date.now(),
      });
      if (!check.ok) {
        state.rejected++;
        res.writeHead(400).end(check.reason);
        return;
      }
      state.verified++;
      res.writeHead(204).end();
      // A delivery may arrive twice (at-least-once): the event id tells duplicates apart.
      if (state.ids.has(check.id)) return;
      state.ids.add(check.id);
      onEvent(JSON.parse(body) as CloudEvent);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/fedreg`,
    setSecret: (s) => {
      secret = s;
    },
    get verified() {
      return state.verified;
    },
    get rejected() {
      return state.rejected;
    },
    ids: state.ids,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One line per event, the way a compliance analyst wants to read it. */
export function describeEvent(event: CloudEvent): string {
  const d = event.data as Record<string, unknown>;
  const when = event.time.slice(0, 10);
  const cite = typeof d.citation === 'string' ? ` (${d.citation})` : '';
  switch (event.type) {
    case 'gov.bis.entitylist.entry.added':
      return `${when}  + ADDED      ${d.country as string}: ${d.name as string}${cite}`;
    case 'gov.bis.entitylist.entry.revised':
      return `${when}  ~ REVISED    ${d.country as string}: ${d.name as string}${cite}${changedFields(d)}`;
    case 'gov.bis.entitylist.entry.corrected':
      return `${when}  ~ CORRECTED  ${d.country as string}: ${d.name as string}${cite}${changedFields(d)}`;
    case 'gov.bis.entitylist.entry.removed':
      return `${when}  - REMOVED    ${d.country as string}: ${d.name as string}${cite}`;
    case 'gov.bis.entitylist.rule.published': {
      const c = d.counts as {
        added: number;
        revised: number;
        corrected: number;
        removed: number;
        anomalies: number;
      };
      return `${when}  ▶ RULE       FR Doc ${d.documentNumber as string}${cite}: +${c.added} ~${c.revised + c.corrected} -${c.removed}${c.anomalies ? `, ${c.anomalies} anomalies` : ''}; list now ${d.listSize as number} entries`;
    }
    case 'gov.bis.entitylist.rule.public_inspection':
      if (d.status === 'published')
        return `${when}  ✓ PUBLISHED  FR Doc ${d.documentNumber as string}, seen on public inspection before${confirmed(d)}`;
      if (d.status === 'withdrawn')
        return `${when}  ✗ WITHDRAWN  FR Doc ${d.documentNumber as string} left public inspection unpublished`;
      return `${when}  ! ON PUBLIC INSPECTION  FR Doc ${d.documentNumber as string}: ${(d.title as string | undefined) ?? ''}, to be published ${d.publicationDate as string}${announced(d)}`;
    case 'gov.bis.entitylist.anomaly':
      return `${when}  ? ANOMALY    ${d.code as string}: ${d.message as string}`;
    case 'gov.bis.entitylist.drift':
      return `${when}  ≠ DRIFT      ${d.source as string}`;
    default:
      return `${when}  ${event.type}`;
  }
}

/** How many of the entries the inspection copy named the published rule confirms. */
function confirmed(d: Record<string, unknown>): string {
  const changes = ((d.changes ?? []) as Array<{ confirmed?: boolean }>).filter(
    (c) => c.confirmed !== undefined,
  );
  if (changes.length === 0) return '';
  return `; ${changes.filter((c) => c.confirmed).length} of ${changes.length} announced entries confirmed`;
}

/** What the inspection copy announces: "; announces 28 additions, 2 revisions". */
function announced(d: Record<string, unknown>): string {
  const counts = (d.counts ?? {}) as Record<string, number>;
  const words: Record<string, [string, string]> = {
    add: ['addition', 'additions'],
    revise: ['revision', 'revisions'],
    remove: ['removal', 'removals'],
    correct: ['correction', 'corrections'],
  };
  const parts = Object.entries(words)
    .filter(([action]) => (counts[action] ?? 0) > 0)
    .map(([action, [one, many]]) => `${counts[action]} ${counts[action] === 1 ? one : many}`);
  return parts.length > 0 ? `; announces ${parts.join(', ')}` : '';
}

function changedFields(d: Record<string, unknown>): string {
  const changes = d.changes as { changedFields?: string[] } | undefined;
  return changes?.changedFields?.length ? ` [${changes.changedFields.join(', ')}]` : '';
}
