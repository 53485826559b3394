// The app is a factory: it registers everything and never listens (src/server.ts does).

import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { type Duplex, Transform } from 'node:stream';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { type ErrorCode, UnavailableError, UriTooLongError, ValidationError } from '../errors.js';
import type { Operations } from '../operations.js';
import { type Metrics, noMetrics } from '../platform/metrics.js';
import { limitConnectionsPerClient, type RequestBudget } from '../platform/request-budget.js';
import { type SpanHandle, tracing } from '../platform/tracing.js';
import authPlugin from './auth.plugin.js';
import { API_SECURITY_HEADERS, DOCS_SECURITY_HEADERS, NO_STORE, STATIC_SECURITY_HEADERS } from './headers.js';
import { refineDocument } from './openapi.js';
import { frameworkError, installErrorHandlers, problem } from './problem.js';
import accountsRoutes from './routes/accounts.routes.js';
import eventsRoutes from './routes/events.routes.js';
import healthRoutes from './routes/health.routes.js';
import transfersRoutes from './routes/transfers.routes.js';
import usersRoutes from './routes/users.routes.js';
import webhooksRoutes from './routes/webhooks.routes.js';
import { installValidators } from './validators.js';

export interface AppOptions {
  logger?: FastifyServerOptions['loggerInstance'];
  /** Serve Swagger UI at /docs (the OpenAPI document is always at /openapi.json). */
  docs?: boolean;
  bodyLimit?: number;
  /** Hops of X-Forwarded-For to trust (0: none). */
  trustProxy?: number;
  /** Origins allowed by CORS; empty: no cross-origin browser access. */
  corsOrigins?: string[];
  /** A request's headers and body must arrive within this (408 after); 0: no bound. */
  requestTimeoutMs?: number;
  /** A keep-alive connection with no request in flight is closed after this. */
  idleTimeoutMs?: number;
  /** Most open connections; more are refused. */
  maxConnections?: number;
  /** Where request durations and 503s are recorded. */
  metrics?: Metrics;
  /** The process's request budget (shared with gRPC): bodies are read within it. */
  budget?: RequestBudget;
  /** Most connections one client address may hold open (0: no bound). */
  maxConnectionsPerClient?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_TARGET = 8 * 1024;

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (headers over 16 KiB, a malformed
 * request): answered on the socket as problem+json with the security headers, then closed.
 */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? ([431, 'headers_too_large', 'the request line and headers are larger than 16 KiB'] as const)
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ([408, 'validation_failed', 'the request did not arrive in time'] as const)
        : ([400, 'validation_failed', 'the request is not valid HTTP'] as const);
  answerOnSocket(socket, status, code, detail);
  socket.destroy(err);
}

/** A problem+json answer written straight to a socket (no Fastify request exists), then closed by the caller. */
function answerOnSocket(socket: Duplex, status: number, code: ErrorCode, detail: string): void {
  const body = JSON.stringify(problem(status, code, detail));
  const headers = {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...STATIC_SECURITY_HEADERS,
  };
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n${body}`,
    );
  }
}

/** The HTTP adapter over the operation layer (built in src/bank.ts). */
export async function buildApp(ops: Operations, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // One line per request is written in onResponse below, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Honour a sane incoming X-Request-Id, else make one; it is returned on every answer.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    // A slow client cannot hold a connection and its buffers open: the whole request within this.
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: opts.idleTimeoutMs ?? 60_000,
    // Node checks request timeouts on this period (30 s by default): often enough for the bound to hold.
    // A request without Host is refused by us (problem+json, security headers), not by Node's bare 400.
    http: { connectionsCheckingInterval: Math.max(250, Math.min(1_000, (opts.requestTimeoutMs ?? 30_000) / 4)), requireHostHeader: false },
    trustProxy: opts.trustProxy ? (_address: string, hop: number) => hop < opts.trustProxy! : false,
    ajv: { customOptions: { removeAdditional: false } },
    // What the HTTP layer refuses before any route runs is problem+json with our codes and headers too.
    frameworkErrors: (err, request, reply) => frameworkError(err, request, reply.headers(STATIC_SECURITY_HEADERS)),
    clientErrorHandler: clientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (opts.maxConnections) app.server.maxConnections = opts.maxConnections;
  limitConnectionsPerClient(app.server, opts.maxConnectionsPerClient ?? 0);
  // A body is read within the process's request budget (src/platform/request-budget.ts): each chunk is
  // taken as it arrives and given back when the answer is done; past the bound, 503 at once.
  const budget = opts.budget;
  if (budget) {
    const held = new WeakMap<object, { client: string; taken: number }>();
    const overBudget = () => new UnavailableError('the server holds as many request bytes as it may: retry shortly', 1, 'memory');
    // A declared body is reserved whole as soon as its headers are in, before its bytes are buffered:
    // refused, it is answered at once and its connection closed.
    app.addHook('onRequest', async (request, reply) => {
      const client = request.ip;
      const entry = { client, taken: 0 };
      held.set(request, entry);
      reply.raw.once('close', () => budget.give(client, entry.taken));
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > 0) {
        if (!budget.take(client, declared)) {
          reply.header('connection', 'close');
          throw overBudget();
        }
        entry.taken = declared;
      }
    });
    // Bytes past what was declared (a chunked body) are taken as they arrive.
    app.addHook('preParsing', async (request, _reply, payload) => {
      const entry = held.get(request);
      if (!entry) return payload;
      let seen = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, next) {
          seen += chunk.length;
          const more = Math.max(0, seen - entry.taken);
          if (more > 0) {
            if (!budget.take(entry.client, more)) return next(overBudget());
            entry.taken += more;
          }
          // Fastify compares this with Content-Length (what the client sent, before any decoding).
          (counted as Transform & { receivedEncodedLength?: number }).receivedEncodedLength =
            (payload as typeof payload & { receivedEncodedLength?: number }).receivedEncodedLength ?? seen;
          next(null, chunk);
        },
      });
      payload.on('error', (err) => counted.destroy(err));
      return payload.pipe(counted);
    });
  }
  // CONNECT never reaches a route (Node hands it over as a tunnel request): answered as any other
  // method without a route is, instead of a socket closed with no answer.
  app.server.on('connect', (_req: unknown, socket: Duplex) => {
    socket.on('error', () => {});
    answerOnSocket(socket, 404, 'not_found', 'there is no such route for this method');
    socket.end();
  });
  // Headers within the request timeout (Node's own check), and the body too: Node stops checking once
  // the headers are in, so a body that has not arrived in time is answered 408 here and cut.
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  if (requestTimeoutMs > 0) {
    app.server.headersTimeout = requestTimeoutMs;
    app.addHook('onRequest', async (request, reply) => {
      const raw = request.raw;
      // Injected requests (tests, the readiness self-check) have no socket to cut.
      if (raw.complete || typeof raw.socket?.destroy !== 'function') return;
      const timer = setTimeout(() => {
        if (!raw.complete && !reply.sent)
          clientError(Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), raw.socket);
      }, requestTimeoutMs);
      timer.unref();
      // The response closes once it is sent or its socket is gone: one listener covers every ending.
      reply.raw.once('close', () => clearTimeout(timer));
    });
  }
  // A JSON API: any other body type is 415, not a string handed to the validator.
  app.removeContentTypeParser('text/plain');
  installValidators(app);
  const metrics = opts.metrics ?? noMetrics;
  installErrorHandlers(app, metrics);
  // Traces (when on): a SERVER span per request, parented by an incoming traceparent; it is made
  // active again before the handler, since body parsing runs in the socket's callbacks.
  const spans = new WeakMap<object, SpanHandle>();
  if (tracing.enabled) {
    app.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      tracing.server(
        `${request.method} ${route}`,
        { 'http.request.method': request.method, 'http.route': route },
        request.headers,
        (span) => {
          spans.set(request, span);
          done();
        },
      );
    });
    app.addHook('preHandler', (request, _reply, done) => {
      const span = spans.get(request);
      if (span) tracing.resume(span, done);
      else done();
    });
  }

  // Security headers on every answer — helmet's, computed once (./headers.ts) rather than by a plugin
  // that builds them on every request — set first so that even a request refused by a later hook
  // carries them; the Swagger UI page keeps its scripts (no CSP there).
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(request.url.startsWith('/docs') ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1 && !request.headers.host) {
      throw new ValidationError('host', 'is required in HTTP/1.1: send a Host header');
    }
    if (request.url.length > MAX_TARGET) throw new UriTooLongError('the request target is longer than 8 KiB');
  });
  // Graceful close: in-flight requests finish, and their keep-alive connections are closed after
  // the answer instead of holding the shutdown open until they time out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections?.();
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing) reply.header('connection', 'close');
    if (!request.url.startsWith('/docs')) reply.headers(NO_STORE);
  });

  // CORS from an allow-list only: an origin not on it gets no Access-Control-Allow-Origin.
  await app.register(cors, {
    origin: opts.corsOrigins ?? [],
    methods: ['GET', 'POST', 'PATCH'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'idempotent-replayed', 'retry-after'],
    maxAge: 600,
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route's template, never the raw path: an unknown URL is one label value, `unmatched`.
    metrics.httpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    const span = spans.get(request);
    span?.set({ 'http.response.status_code': reply.statusCode });
    span?.end(reply.statusCode >= 500);
    // A probe answered as expected (/healthz, /readyz 200, every few seconds per replica) is a debug
    // line; everything else, one info line per request.
    const probe = reply.statusCode === 200 && (request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz');
    request.log[probe ? 'debug' : 'info'](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        user: request.auth?.username,
        ...(span?.traceId ? { trace_id: span.traceId } : {}),
      },
      'request',
    );
  });

  await app.register(swagger, {
    // Named components, optional defaulted parameters, declared headers: src/http/openapi.ts.
    transformObject: (doc) =>
      'openapiObject' in doc
        ? (refineDocument(doc.openapiObject as Record<string, unknown>) as typeof doc.openapiObject)
        : doc.swaggerObject,
    openapi: {
      openapi: '3.0.3',
      // Relative: the server that serves this document (whatever its host and port, or the ingress in front).
      servers: [{ url: '/', description: 'the server that serves this document' }],
      info: {
        title: 'simple bank',
        version: '1.2.0',
        description:
          'SQL-first banking API. Money is integer minor units (cents). Every 4xx/5xx body is ' +
          'application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'PASETO v4.public' },
        },
      },
      tags: [
        { name: 'users', description: 'Sign-up, login and sessions' },
        { name: 'accounts', description: 'Accounts and statements' },
        { name: 'transfers', description: 'Transfers, deposits and withdrawals' },
        { name: 'events', description: 'What happened: a feed to page and wait on' },
        { name: 'operations', description: 'Health and readiness' },
      ],
    },
  });
  if (opts.docs ?? true) await app.register(swaggerUi, { routePrefix: '/docs' });

  // The routes adapt the operation layer: every rule and authorization is there, none here.
  await app.register(authPlugin, { ops });
  await app.register(healthRoutes, { ops });
  await app.register(usersRoutes, { ops });
  await app.register(accountsRoutes, { ops });
  await app.register(transfersRoutes, { ops });
  await app.register(eventsRoutes, { ops });
  await app.register(webhooksRoutes, { ops });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
