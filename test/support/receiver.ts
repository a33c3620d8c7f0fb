import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a test receiver saw of one request. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Distinct TCP connections accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

export type Respond = (req: Received, res: ServerResponse, raw: IncomingMessage) => void;

/** A request listener that records each request, with its whole body, before `respond` answers it. */
export function recordingListener(
  received: Received[],
  respond: Respond,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      respond(r, res, req);
    });
  };
}

/**
 * A real node:http server on 127.0.0.1 that records every request (with its full body) before
 * handing it to `respond`.
 */
export async function startReceiver(
  respond: Respond = (_r, res) => res.writeHead(200).end('ok'),
): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer(recordingListener(received, respond));
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The receiver's side of Standard Webhooks, written out from the spec with node:crypto rather than
 * with the module under test.
 */
export function independentlyVerified(r: Received, secret: string): boolean {
  const id = r.headers['webhook-id'];
  const ts = r.headers['webhook-timestamp'];
  const sig = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest();
  return sig.split(' ').some((s) => {
    const [version, b64] = s.split(',');
    const given = Buffer.from(b64 ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
