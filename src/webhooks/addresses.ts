// Where a webhook may go (API v1.3): `https` to a public address, unless its host is listed in
// WEBHOOK_ALLOWED_HOSTS. Checked at registration (the URL, and the addresses its host resolves to)
// and again at every delivery, on the address the request then connects to — the one checked, never a
// second lookup (a name that resolves to a public address at registration and to 169.254.169.254 or
// 10.x later is refused then).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses no webhook may reach unless allowed by name: loopback, private, link-local, shared, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');
}

// (IPv4-mapped IPv6, ::ffff:a.b.c.d, is judged as its IPv4 address; BlockList itself treats a rule on
// ::ffff:0:0/96 as one on every IPv4 address, so there is none.)
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    return !NOT_PUBLIC.check(address, 'ipv6');
  }
  return false;
}

/** WEBHOOK_ALLOWED_HOSTS: host names or addresses, lower-cased, IPv6 without brackets. */
export function parseAllowedHosts(raw: string): Set<string> {
  return new Set(
    raw
      .split(',')
      .map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[|\]$/g, ''),
      )
      .filter((h) => h.length > 0),
  );
}

/** The URL's host as WEBHOOK_ALLOWED_HOSTS names it. */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[|\]$/g, '');

export class WebhookAddressError extends Error {}

/** The URL as registered: refused with the reason, or parsed. */
export function checkUrl(raw: string, allowed: Set<string>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookAddressError('must be an absolute http(s) URL');
  }
  if (url.username || url.password) throw new WebhookAddressError('must not carry credentials');
  const listed = allowed.has(hostOf(url));
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && listed)) {
    throw new WebhookAddressError(listed ? 'must be http or https' : 'must be https (http only to a host in WEBHOOK_ALLOWED_HOSTS)');
  }
  const literal = isIP(hostOf(url));
  if (!listed && literal && !isPublicAddress(hostOf(url))) {
    throw new WebhookAddressError('must be a public address (or a host listed in WEBHOOK_ALLOWED_HOSTS)');
  }
  return url;
}

/**
 * The address a delivery connects to: the host's addresses, every one checked (a listed host may be
 * anything; another must resolve to public addresses only). Throws WebhookAddressError.
 */
export async function resolveDeliveryAddress(url: URL, allowed: Set<string>): Promise<{ address: string; family: number }> {
  const host = hostOf(url);
  const listed = allowed.has(host);
  if (isIP(host)) {
    if (!listed && !isPublicAddress(host)) throw new WebhookAddressError(`${host} is not a public address`);
    return { address: host, family: isIP(host) };
  }
  let found: { address: string; family: number }[];
  try {
    found = await lookup(host, { all: true, verbatim: true });
  } catch (err) {
    throw new WebhookAddressError(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (found.length === 0) throw new WebhookAddressError(`${host} does not resolve`);
  if (!listed) {
    const bad = found.find((a) => !isPublicAddress(a.address));
    if (bad) throw new WebhookAddressError(`${host} resolves to ${bad.address}, not a public address`);
  }
  return found[0]!;
}
