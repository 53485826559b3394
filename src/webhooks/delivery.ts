// One webhook delivery attempt, as the Standard Webhooks specification says
// (https://www.standardwebhooks.com): a POST of the Event JSON with `webhook-id` (the event's id, the
// same on every retry), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64
// HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's bytes). A 2xx within the bound is
// delivered; anything else is a failure the job retries after WEBHOOK_RETRY_DELAYS.
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveDeliveryAddress, WebhookAddressError } from './addresses.js';

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 'whsec_' + base64 of 32 random bytes. */
export const newSecret = () => SECRET_PREFIX + randomBytes(32).toString('base64');

export function sign(secret: string, id: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

export interface Attempt {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface DeliverOptions {
  allowedHosts: Set<string>;
  /** The bound of one attempt (the contract: 10 s). */
  timeoutMs?: number;
}

/** POSTs the event to the URL; never throws: the outcome is the answer. */
export async function deliver(url: string, secret: string, eventId: string, body: string, opts: DeliverOptions): Promise<Attempt> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  let target: URL;
  let address: { address: string; family: number };
  try {
    target = new URL(url);
    address = await resolveDeliveryAddress(target, opts.allowedHosts);
  } catch (err) {
    const why = err instanceof WebhookAddressError ? err.message : `bad URL: ${(err as Error).message}`;
    return { ok: false, error: `refused: ${why}`, durationMs: took() };
  }
  const timestampS = Math.floor(Date.now() / 1000);
  // Connect to the address just checked, not to whatever a second lookup would say.
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const done = (a: Omit<Attempt, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...a, durationMs: took() });
    };
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'simple-bank-webhooks/1',
          'webhook-id': eventId,
          'webhook-timestamp': String(timestampS),
          'webhook-signature': sign(secret, eventId, timestampS, body),
        },
      },
      (res) => {
        // The answer's body is not read beyond what arrives: only the status counts.
        res.resume();
        const status = res.statusCode ?? 0;
        res.on('end', () => done({ ok: status >= 200 && status < 300, statusCode: status }));
        res.on('error', (err) => done({ ok: false, statusCode: status, error: err.message }));
      },
    );
    // The whole attempt — connect, send, answer — within the bound.
    const timer = setTimeout(() => {
      done({ ok: false, error: `no answer within ${timeoutMs / 1000} s` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    request.end(body);
  });
}

/** WEBHOOK_RETRY_DELAYS → milliseconds. */
export function parseRetryDelays(raw: string, parse: (name: string, v: string) => number): number[] {
  return raw
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0)
    .map((d) => parse('WEBHOOK_RETRY_DELAYS', d));
}
