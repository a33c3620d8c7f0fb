import { AppError } from '../errors.js';

/**
 * Which IP addresses a webhook may connect to. Pure: strings in, verdicts out.
 *
 * Every address is held as 16 bytes, IPv4 as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so an IPv4
 * range also covers the mapped spelling of its addresses (`::ffff:127.0.0.1` is 127.0.0.1) without
 * a second rule.
 */

export interface IpAddress {
  readonly family: 4 | 6;
  /** 16 bytes; IPv4 as ::ffff:a.b.c.d. */
  readonly bytes: Uint8Array;
}

export interface Network {
  /** As written, for messages. */
  readonly cidr: string;
  readonly base: Uint8Array;
  /** Prefix length over the 128-bit form (an IPv4 /8 is 104 here). */
  readonly bits: number;
}

function parseIpv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    // Canonical decimal only: "010" is octal to some parsers and decimal to others.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6Bytes(text: string): number[] | undefined {
  // A zone (fe80::1%eth0) names an interface, not a different address.
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  if (addr.length === 0 || addr.length > 45) return undefined;
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4Bytes(piece);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 is only valid as the last 32 bits.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    words = head;
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return bytes;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** A literal IPv4 or IPv6 address (brackets allowed, as in URLs), or undefined. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) {
    const bytes = parseIpv6Bytes(bare);
    return bytes ? { family: 6, bytes: Uint8Array.from(bytes) } : undefined;
  }
  const v4 = parseIpv4Bytes(bare);
  return v4 ? { family: 4, bytes: Uint8Array.from([...MAPPED_PREFIX, ...v4]) } : undefined;
}

function mask(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** `a.b.c.d/n`, `x::y/n`, or a bare address (a single host). Undefined when malformed. */
export function parseCidr(text: string): Network | undefined {
  const cidr = text.trim();
  const slash = cidr.indexOf('/');
  const addrText = slash >= 0 ? cidr.slice(0, slash) : cidr;
  const ip = parseIp(addrText);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = cidr.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  const bits = ip.family === 4 ? 96 + prefix : prefix;
  return { cidr, base: mask(ip.bytes, bits), bits };
}

export function networkContains(network: Network, address: IpAddress): boolean {
  const masked = mask(address.bytes, network.bits);
  for (let i = 0; i < 16; i++) if (masked[i] !== network.base[i]) return false;
  return true;
}

/**
 * `WEBHOOK_ALLOWED_NETWORKS`: comma-separated CIDRs (IPv4 and IPv6). Every bad entry is reported in
 * one `CONFIG_INVALID` error.
 */
export function parseAllowedNetworks(spec: string | readonly string[] | undefined): readonly Network[] {
  if (spec === undefined) return [];
  const entries = (typeof spec === 'string' ? spec.split(',') : spec).map((s) => s.trim()).filter(Boolean);
  const networks: Network[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    const network = parseCidr(entry);
    if (network) networks.push(network);
    else bad.push(entry);
  }
  if (bad.length > 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `WEBHOOK_ALLOWED_NETWORKS: ${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not CIDR (expected e.g. "127.0.0.0/8,::1/128")`,
      { context: { invalid: bad } },
    );
  }
  return Object.freeze(networks);
}

function table(
  rows: ReadonlyArray<readonly [string, string]>,
): ReadonlyArray<{ network: Network; label: string }> {
  return rows.map(([cidr, label]) => ({ network: parseCidr(cidr)!, label }));
}

/**
 * Ranges a webhook never reaches unless allow-listed: the IANA special-purpose registries' entries
 * that are not globally reachable, plus multicast and reserved space. Most specific first, so the
 * label names the narrowest range.
 */
const DENIED = table([
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['2001::/23', 'IETF protocol assignments (Teredo, benchmarking, ORCHID)'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
]);

const NAT64 = parseCidr('64:ff9b::/96')!;
const SIX_TO_FOUR = parseCidr('2002::/16')!;

function ipv4At(bytes: Uint8Array, offset: number): IpAddress {
  return { family: 4, bytes: Uint8Array.from([...MAPPED_PREFIX, ...bytes.subarray(offset, offset + 4)]) };
}

/** IPv6 forms that carry an IPv4 address a gateway would forward to (mapped forms need nothing). */
function embeddedIpv4(address: IpAddress): IpAddress | undefined {
  if (address.family !== 6) return undefined;
  if (networkContains(NAT64, address)) return ipv4At(address.bytes, 12);
  if (networkContains(SIX_TO_FOUR, address)) return ipv4At(address.bytes, 2);
  return undefined;
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * May a webhook connect to `address`? Allow-listed networks win; otherwise denied ranges (checked
 * on the address and on any IPv4 address embedded in it) refuse. Unparseable input is refused.
 */
export function checkAddress(address: string, allowed: readonly Network[]): AddressVerdict {
  const ip = parseIp(address);
  if (!ip) return { allowed: false, reason: 'not an IP address' };
  if (allowed.some((n) => networkContains(n, ip))) return { allowed: true };
  const inner = embeddedIpv4(ip);
  for (const candidate of inner ? [ip, inner] : [ip]) {
    const hit = DENIED.find((d) => networkContains(d.network, candidate));
    if (hit) {
      const via = candidate === ip ? '' : ' (embedded IPv4)';
      return { allowed: false, reason: `${hit.label}, ${hit.network.cidr}${via}` };
    }
  }
  return { allowed: true };
}
