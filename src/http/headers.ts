// Security headers for a JSON API, by helmet: nothing here is meant to be framed, sniffed, cached or
// to run scripts — except the Swagger UI page (/docs), which needs its own scripts and styles.
// They are taken once from helmet itself and set on every answer by one hook (src/http/app.ts) — a
// plugin calling helmet per request parsed the CSP on every answer — and the answers the HTTP layer
// makes before any route runs (src/http/problem.ts frameworkError, the client-error handler) carry
// the same ones. tests/api/security-headers.test.ts holds them to what helmet produces.

import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
} satisfies HelmetOptions;

/** Swagger UI runs its own scripts: no CSP there (every other header stays). */
export const DOCS_HELMET_OPTIONS = { ...HELMET_OPTIONS, contentSecurityPolicy: false } satisfies HelmetOptions;

/** What a JSON answer must never be: cached (tokens, balances). Not a helmet header. */
export const NO_STORE = { 'cache-control': 'no-store' };

function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, () => {});
  return headers;
}

/** Every answer of the API, and the Swagger UI page's (no CSP). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(helmetHeaders(HELMET_OPTIONS));
export const DOCS_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze(helmetHeaders(DOCS_HELMET_OPTIONS));

/** The headers of an answer made outside Fastify's hooks (raw socket, framework errors). */
export const STATIC_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({ ...API_SECURITY_HEADERS, ...NO_STORE });
