import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { buildConnector } from 'undici';
import { AppError } from '../errors.js';
import { checkAddress, parseIp, type Network } from './networks.js';

/**
 * The SSRF guard at the I/O edge. The pre-check (`validateSubscriptionUrl`) gives the admin API a
 * clear refusal; the connector is what actually protects: it checks every address a hostname
 * resolves to at the moment of connecting, so a name that resolved to a public address when the
 * subscription was created and to 127.0.0.1 now (DNS rebinding) is still refused.
 */

/** `dns.lookup`'s callback form, injectable so tests can resolve names however they like. */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback);

function forbidden(host: string, address: string, reason: string): AppError {
  const shown = host === address ? address : `${host} (resolves to ${address})`;
  return new AppError(
    'WEBHOOK_URL_FORBIDDEN',
    `webhook target ${shown} is ${reason}: refused to prevent SSRF; if this network is intended, add it to WEBHOOK_ALLOWED_NETWORKS`,
    { context: { host, address, reason } },
  );
}

/** The first address that policy refuses, as an error; undefined when every address is allowed. */
function refuse(
  host: string,
  addresses: readonly string[],
  allowed: readonly Network[],
): AppError | undefined {
  if (addresses.length === 0) {
    return forbidden(host, host, 'without any address');
  }
  for (const address of addresses) {
    const verdict = checkAddress(address, allowed);
    if (!verdict.allowed) return forbidden(host, address, verdict.reason);
  }
  return undefined;
}

/**
 * A `net.connect` lookup that resolves every address of the name and refuses the connection if any
 * of them is not allowed: refusing the whole name is simpler to reason about than picking the
 * "good" addresses of a name that also points inside.
 */
export function createGuardedLookup(
  allowed: readonly Network[],
  resolver: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, { family: options.family ?? 0, hints: options.hints, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const refusal = refuse(
        hostname,
        addresses.map((a) => a.address),
        allowed,
      );
      if (refusal) {
        callback(refusal as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (options.all) {
        callback(null, addresses);
      } else {
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      }
    });
  };
}

export interface GuardedConnectorOptions {
  allowed: readonly Network[];
  /** TCP (and TLS) connect timeout. */
  timeoutMs: number;
  resolver?: Resolver;
}

/**
 * An undici connector (`Agent({ connect })`) that applies the policy three times: to IP literals
 * (which `net.connect` never looks up), to every resolved address (the lookup), and to the peer
 * address of the connected socket, in case anything between resolution and connection changed.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.timeoutMs,
    lookup: createGuardedLookup(options.allowed, options.resolver),
  });
  return (opts, callback) => {
    const literal = parseIp(opts.hostname);
    if (literal) {
      const refusal = refuse(opts.hostname, [opts.hostname.replace(/^\[|\]$/g, '')], options.allowed);
      if (refusal) {
        callback(refusal, null);
        return;
      }
    }
    connect(opts, (err, socket) => {
      if (err) {
        callback(err, null);
        return;
      }
      const peer = (socket as Socket).remoteAddress;
      const refusal = refuse(opts.hostname, peer === undefined ? [] : [peer], options.allowed);
      if (refusal) {
        socket!.destroy();
        callback(refusal, null);
        return;
      }
      callback(null, socket!);
    });
  };
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; error: AppError };

export interface ValidateUrlOptions {
  /** Resolve the hostname and check its addresses too (default true). */
  resolve?: boolean;
  resolver?: Resolver;
}

function invalid(reason: string, message: string, url?: URL): UrlCheck {
  return {
    ok: false,
    error: new AppError('WEBHOOK_URL_FORBIDDEN', message, {
      context: { reason, ...(url ? { origin: url.origin } : {}) },
    }),
  };
}

/**
 * The admin API's check of a subscription URL: http(s) only, no credentials in it, and neither its
 * literal address nor any address its name resolves to inside a refused range. Connect time checks
 * again; this is for a clear answer when the subscription is made.
 */
export async function validateSubscriptionUrl(
  url: string,
  allowed: readonly Network[],
  options: ValidateUrlOptions = {},
): Promise<UrlCheck> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid(
      'malformed',
      'subscription URL: not an absolute URL (expected e.g. https://example.com/webhooks)',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return invalid(
      'scheme',
      `subscription URL: scheme ${parsed.protocol} is not allowed, expected https: or http:`,
      parsed,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return invalid(
      'credentials',
      'subscription URL: credentials in the URL are not allowed; receivers authenticate deliveries by their signature',
      parsed,
    );
  }
  // WHATWG URL has already normalised tricks like 0x7f.1 or 2130706433 to 127.0.0.1.
  const host = parsed.hostname;
  if (parseIp(host)) {
    const refusal = refuse(host, [host.replace(/^\[|\]$/g, '')], allowed);
    return refusal ? { ok: false, error: refusal } : { ok: true, url: parsed };
  }
  if (options.resolve === false) return { ok: true, url: parsed };
  const resolver = options.resolver ?? systemResolver;
  const addresses = await new Promise<LookupAddress[] | NodeJS.ErrnoException>((resolve) =>
    resolver(host, { all: true }, (err, found) => resolve(err ?? found)),
  );
  if (!Array.isArray(addresses)) {
    return invalid(
      'unresolvable',
      `subscription URL: host ${host} does not resolve (${addresses.code ?? 'DNS error'}); check the name`,
      parsed,
    );
  }
  const refusal = refuse(
    host,
    addresses.map((a) => a.address),
    allowed,
  );
  return refusal ? { ok: false, error: refusal } : { ok: true, url: parsed };
}
