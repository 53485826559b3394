// Security headers for a JSON API, by helmet: nothing here is meant to be framed, sniffed, cached or
// to run scripts — except the Swagger UI page (/docs), which needs its own scripts and styles.
// @fastify/helmet sets them on every routed answer (src/http/app.ts); the answers the HTTP layer
// makes before any route runs (src/http/problem.ts frameworkError, the client-error handler) carry
// the same headers, taken once from helmet itself.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import helmet from 'helmet';

export const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
} satisfies FastifyHelmetOptions;

/** Swagger UI runs its own scripts: no CSP there (every other header stays). */
export const DOCS_HELMET_OPTIONS = { ...HELMET_OPTIONS, contentSecurityPolicy: false } satisfies FastifyHelmetOptions;

/** What a JSON answer must never be: cached (tokens, balances). Not a helmet header. */
export const NO_STORE = { 'cache-control': 'no-store' };

function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(HELMET_OPTIONS)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

/** The headers of an answer made outside Fastify's hooks (raw socket, framework errors). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...helmetHeaders(), ...NO_STORE });
