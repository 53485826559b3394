// The gRPC adapter's server: HTTP/2 cleartext on GRPC_PORT, speaking gRPC (binary and JSON codecs),
// gRPC-Web and the Connect protocol (Connect's Node adapter). One log line per RPC; x-request-id
// honoured and returned; every refusal mapped by ./errors.ts. TLS ends at the ingress or mesh.
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import { Code, ConnectError, createConnectRouter, createContextKey, createContextValues, type Interceptor } from '@connectrpc/connect';
import type { UniversalServerResponse } from '@connectrpc/connect/protocol';
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from '@connectrpc/connect-node';
import type { Logger } from 'pino';
import { file_grpc_health_v1_health, Health } from '../../generated/proto/grpc/health/v1/health_pb.js';
import {
  file_grpc_reflection_v1_reflection,
  ServerReflection as ReflectionV1,
} from '../../generated/proto/grpc/reflection/v1/reflection_pb.js';
import {
  file_grpc_reflection_v1alpha_reflection,
  ServerReflection as ReflectionV1alpha,
} from '../../generated/proto/grpc/reflection/v1alpha/reflection_pb.js';
import { file_simplebank_v1_simplebank, SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { UnavailableError, ValidationError } from '../errors.js';
import type { Operations } from '../operations.js';
import { type Metrics, noMetrics } from '../platform/metrics.js';
import { limitConnectionsPerClient, type RequestBudget, unboundedBudget } from '../platform/request-budget.js';
import { type SpanHandle, tracing } from '../platform/tracing.js';
import { toConnectError } from './errors.js';
import { LENIENT_WHITESPACE } from './header-probe.js';
import { healthRoutes } from './health.js';
import { guardJsonBody } from './json-guard.js';
import { reflectionRoutes } from './reflection.js';
import { kClientIp, kJsonProblem, kReceivedAt, kUser, simpleBankRoutes } from './service.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The RPC's trace span, when tracing is on. */
const kSpan = createContextKey<SpanHandle | undefined>(undefined, { description: 'the trace span of the call' });
/** The message could not be read within the process's request budget. */
const kOverBudget = createContextKey<boolean>(false, { description: 'refused for the request budget' });

export interface GrpcServerOptions {
  log?: Logger;
  /** Largest accepted message, in bytes (as BODY_LIMIT_BYTES on HTTP). */
  readMaxBytes?: number;
  /** Streams a client may have open at once on one connection (advertised in SETTINGS). */
  maxConcurrentStreams?: number;
  /** A request's message must arrive within this, else its stream is reset. */
  requestTimeoutMs?: number;
  /** A connection with no stream open is closed after this (one that never sends the preface too). */
  idleTimeoutMs?: number;
  /** Most open connections; more are refused. */
  maxConnections?: number;
  /** X-Forwarded-For hops to trust for the client address (TRUST_PROXY_HOPS), as on HTTP. */
  trustProxyHops?: number;
  /** Where RPCs and 503s are recorded (grpc_server_handled_total, grpc_server_handling_seconds). */
  metrics?: Metrics;
  /** The process's request budget (shared with HTTP): messages are read within it. */
  budget?: RequestBudget;
  /** Most connections one client address may hold open (0: no bound). */
  maxConnectionsPerClient?: number;
  /** Most streams open at once over every connection; more are refused (REFUSED_STREAM). */
  maxStreams?: number;
  /** Most Health/Watch streams open at once, and how long one lasts before it ends (the client watches again). */
  watch?: { maxStreams?: number; lifetimeMs?: number };
}

/** A gRPC status → the contract's code, for refusals Connect makes before any handler runs. */
// A deadline that passed is `unavailable`: as with a 503, a money call's outcome may be unknown and a
// retry with the same key is safe. A second message on a unary call is the caller's invalid input.
const CONTRACT_CODE: Record<string, string> = {
  '3': 'validation_failed',
  '8': 'payload_too_large',
  '14': 'unavailable',
  '4': 'unavailable',
  '12': 'validation_failed',
};

/**
 * Refusals Connect makes itself, before the interceptor (a message over the size limit, one that does
 * not decode), carry the contract's `x-error-code` and an `x-request-id` like every other answer: in
 * the trailers of gRPC (set once the body is done, before they are written) or the headers otherwise.
 */
function withContractCode(answer: UniversalServerResponse, req: http2.Http2ServerRequest): UniversalServerResponse {
  const incoming = req.headers['x-request-id'];
  const reqId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  const mark = (h: Headers | undefined, status: string | null) => {
    if (!h || status === null || status === '0' || h.has('x-error-code')) return;
    const message = h.get('grpc-message') ?? '';
    // A message that does not parse, a compressed one sent without saying how, or one that does not
    // inflate, is the caller's invalid input, not the server's fault.
    if (status === '13' && /^(parse%20(binary|json)|received%20compressed%20envelope|decompression%20failed)/i.test(message)) {
      h.set('grpc-status', '3');
      status = '3';
    }
    // An encoding it does not know: UNIMPLEMENTED, as gRPC says (grpc-accept-encoding lists the known
    // ones), with HTTP's code for a body it cannot read.
    const code = status === '12' && /^unknown%20compression/i.test(message) ? 'unsupported_media_type' : CONTRACT_CODE[status];
    h.set('x-error-code', code ?? 'internal');
    if (!h.has('x-request-id')) h.set('x-request-id', reqId);
  };
  // Connect protocol: an error is an HTTP status with a JSON body, its metadata in the headers.
  if (answer.status !== 200 && answer.header && !answer.header.has('x-error-code')) {
    const grpcLike =
      answer.status === 400 ? '3' : answer.status === 413 || answer.status === 429 ? '8' : answer.status === 503 ? '14' : '13';
    mark(answer.header, grpcLike);
  }
  mark(answer.header, answer.header?.get('grpc-status') ?? null); // gRPC trailers-only
  const body = answer.body;
  // gRPC-Web: the trailers travel as the body's last envelope (flag 0x80, HTTP/1-style header lines).
  if (body && !answer.trailer && /^application\/grpc-web/.test(answer.header?.get('content-type') ?? '')) {
    return {
      ...answer,
      body: (async function* () {
        for await (const chunk of body) yield markWebTrailer(chunk, mark);
      })(),
    };
  }
  if (!body || !answer.trailer) return answer;
  const trailer = answer.trailer;
  return {
    ...answer,
    body: (async function* () {
      try {
        yield* body;
      } finally {
        mark(trailer, trailer.get('grpc-status'));
      }
    })(),
  };
}

/** A gRPC-Web trailer envelope, marked as gRPC trailers are; any other chunk as it is. */
function markWebTrailer(chunk: Uint8Array, mark: (h: Headers, status: string | null) => void): Uint8Array {
  if (chunk.length < 5 || chunk[0] !== 0x80) return chunk;
  const length = Buffer.from(chunk.buffer, chunk.byteOffset + 1, 4).readUInt32BE(0);
  if (chunk.length !== 5 + length) return chunk; // not exactly one envelope: left as Connect wrote it
  const h = new Headers();
  for (const line of Buffer.from(chunk.subarray(5)).toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) h.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  if (h.has('x-error-code')) return chunk;
  mark(h, h.get('grpc-status'));
  const text = [...h.entries()].map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const out = Buffer.from(text, 'latin1');
  const head = Buffer.alloc(5);
  head[0] = 0x80;
  head.writeUInt32BE(out.length, 1);
  return Buffer.concat([head, out]);
}

/**
 * The client address as HTTP's trustProxy gives it: the socket's peer, and behind `hops` trusted
 * proxies the address they saw, read from the right of X-Forwarded-For.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, hops: number): string {
  if (!hops) return peer;
  const chain = [
    peer,
    ...(forwardedFor ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .reverse(),
  ];
  return chain[Math.min(hops, chain.length - 1)]!;
}

/** What the server serves: the bank, its health, and reflection over all three. */
const FILES = [
  file_simplebank_v1_simplebank,
  file_grpc_health_v1_health,
  file_grpc_reflection_v1_reflection,
  file_grpc_reflection_v1alpha_reflection,
];
const SERVICES = [SimpleBank, Health, ReflectionV1, ReflectionV1alpha].map((s) => s.typeName);

export interface GrpcServer {
  server: http2.Http2Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createGrpcServer(ops: Operations, opts: GrpcServerOptions = {}): GrpcServer {
  const log = opts.log;
  const metrics = opts.metrics ?? noMetrics;
  const readMaxBytes = opts.readMaxBytes ?? 64 * 1024;
  const budget = opts.budget ?? unboundedBudget;
  const logAndMap: Interceptor = (next) => async (req) => {
    const started = performance.now();
    const incoming = req.header.get('x-request-id');
    const reqId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const line = (status: string, code: Code | 0) => {
      const seconds = (performance.now() - started) / 1000;
      const span = req.contextValues.get(kSpan);
      span?.set({ 'rpc.grpc.status_code': code });
      metrics.grpcHandled(
        req.method.methodKind === 'server_streaming' ? 'server_stream' : 'unary',
        req.service.typeName,
        req.method.name,
        code === 0 ? 'OK' : (Code[code] ?? 'Unknown'),
        seconds,
      );
      log?.info(
        {
          reqId,
          rpc: `${req.service.typeName}/${req.method.name}`,
          status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          user: req.contextValues.get(kUser).username,
          ...(span?.traceId ? { trace_id: span.traceId } : {}),
        },
        'rpc',
      );
    };
    try {
      // A JSON body the raw check refused (./json-guard.ts) is invalid input, whatever it decoded to.
      if (req.contextValues.get(kOverBudget)) {
        throw new UnavailableError('the server holds as many request bytes as it may: retry shortly', 1, 'memory');
      }
      const loose = req.contextValues.get(kJsonProblem);
      if (loose) throw new ValidationError(loose.field, loose.message);
      const res = await next(req);
      res.header.set('x-request-id', reqId);
      line('OK', 0);
      return res;
    } catch (raw) {
      const { error, unexpected } = toConnectError(raw);
      if (unexpected) log?.error({ err: raw, reqId }, 'unhandled error in an RPC');
      error.metadata.set('x-request-id', reqId);
      if (raw instanceof UnavailableError) metrics.unavailable(raw.reason);
      line(codeName(error.code), error.code);
      throw error;
    }
  };

  // Connect's router, served by a request handler of our own rather than connectNodeAdapter's: when
  // the client is gone before the answer is written (its deadline passed, it reset the stream),
  // Connect's adapter prints a stack to stderr; here it is one structured debug line, and anything
  // else that fails writing an answer is one structured error line.
  const router = createConnectRouter({
    interceptors: [logAndMap],
    // The JSON codec speaks the HTTP API's snake_case names.
    jsonOptions: { useProtoFieldName: true, ignoreUnknownFields: false },
    readMaxBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
  });
  simpleBankRoutes(ops)(router);
  const health = healthRoutes(ops, opts.watch);
  health.routes(router);
  reflectionRoutes(FILES, SERVICES)(router);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const byPath = new Map(router.handlers.map((h) => [h.requestPath, h]));
  // Streams open at once over every connection: past the bound a new one is refused before any work
  // (RST_STREAM REFUSED_STREAM: not processed, safe to retry), so a flood of streams over many
  // connections costs no more than the bound's worth of memory. A client address with only a few
  // streams open still gets in (up to twice the bound): a flood does not shut out everyone else.
  const maxStreams = opts.maxStreams ?? 2_000;
  const FAIR_SHARE = 16;
  let streamsOpen = 0;
  const streamsByPeer = new Map<string, number>();
  const handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    const peer = req.socket?.remoteAddress ?? '';
    const mine = streamsByPeer.get(peer) ?? 0;
    if (streamsOpen >= 2 * maxStreams || (streamsOpen >= maxStreams && mine >= FAIR_SHARE)) {
      req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    streamsOpen++;
    streamsByPeer.set(peer, mine + 1);
    req.stream.once('close', () => {
      streamsOpen--;
      const left = (streamsByPeer.get(peer) ?? 1) - 1;
      if (left > 0) streamsByPeer.set(peer, left);
      else streamsByPeer.delete(peer);
    });
    const rpc = byPath.get((req.url ?? '').split('?', 1)[0]!);
    if (!rpc) {
      res.writeHead(404);
      res.end();
      return;
    }
    // The request's message must arrive in time: a half-sent stream is reset, its buffers freed.
    let cut = false;
    const arrival = setTimeout(() => {
      if (!req.complete && !req.stream.destroyed) {
        cut = true;
        req.stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    }, requestTimeoutMs);
    req.once('end', () => clearTimeout(arrival));
    req.stream.once('close', () => clearTimeout(arrival));
    const forwarded = req.headers['x-forwarded-for'];
    const values = createContextValues()
      .set(
        kClientIp,
        clientAddress(
          req.socket?.remoteAddress ?? '',
          Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
          opts.trustProxyHops ?? 0,
        ),
      )
      .set(kUser, {})
      .set(kReceivedAt, performance.now());
    // A SERVER span per RPC when tracing is on, parented by a traceparent in the metadata.
    const attributes = { 'rpc.system': 'grpc', 'rpc.service': rpc.service.typeName, 'rpc.method': rpc.method.name };
    tracing.server(`${rpc.service.typeName}/${rpc.method.name}`, attributes, req.headers, (span) => {
      values.set(kSpan, span);
      res.once('close', () => span.end()); // the stream's end, whatever way it ends
      return guardJsonBody(req, rpc.method, readMaxBytes, budget, values.get(kClientIp))
        .then((guarded) => {
          const uReq = universalRequestFromNodeRequest(req, res, undefined, values);
          if (guarded) {
            uReq.body = guarded.body;
            if (guarded.problem) values.set(kJsonProblem, guarded.problem);
            if (guarded.overBudget) values.set(kOverBudget, true);
            // An empty message stands in for a refused body: the length the client declared no longer
            // holds (Connect would refuse the mismatch before the refusal that names the field).
            if (guarded.problem || guarded.overBudget) uReq.header.delete('content-length');
          }
          return rpc(uReq);
        })
        .then((answer) => universalResponseToNodeResponse(withContractCode(answer, req), res))
        .then(() => {
          // Refused for the budget with its message still arriving: the stream ends here (RST_STREAM
          // NO_ERROR after a complete answer), so nothing more of it is buffered anywhere.
          if (values.get(kOverBudget) && !req.complete && !req.stream.destroyed) req.stream.close(http2.constants.NGHTTP2_NO_ERROR);
        })
        .catch((reason: unknown) => {
          const gone = res.stream?.destroyed || ConnectError.from(reason).code === Code.Aborted;
          const entry = { rpc: `${rpc.service.typeName}/${rpc.method.name}`, reason: ConnectError.from(reason).message };
          // What a client causes is never an error line: a message that did not arrive in time is cut
          // (a warning: any client can send half a message), a client gone is debug.
          if (cut)
            log?.warn(
              { rpc: entry.rpc, requestTimeoutMs },
              'the request message did not arrive within REQUEST_TIMEOUT: the stream was cut',
            );
          else if (gone) log?.debug(entry, 'the client went away before the answer was written');
          else log?.error(entry, 'the answer of an RPC could not be written');
        });
    });
  };
  // Header values with edge whitespace are let through (./header-probe.ts): an idempotency-key sent so
  // is read as HTTP reads it, never dropped into an unkeyed call.
  const server = http2.createServer(
    { ...LENIENT_WHITESPACE, settings: { maxConcurrentStreams: opts.maxConcurrentStreams ?? 100 } } as http2.ServerOptions,
    handler,
  );
  if (opts.maxConnections) server.maxConnections = opts.maxConnections;
  limitConnectionsPerClient(server, opts.maxConnectionsPerClient ?? 0);
  // A connection that opens no stream within the idle timeout (no HTTP/2 preface, or nothing after it)
  // is cut, as is one idle later with no stream open. An Http2Session that never got its preface
  // does not close its socket on destroy(): the raw socket is reset.
  const raw = new Map<string, import('node:net').Socket>();
  const keyOf = (sock: { remoteAddress?: string; remotePort?: number }) => `${sock.remoteAddress}:${sock.remotePort}`;
  const withStreams = new Set<string>();
  server.on('connection', (socket: import('node:net').Socket) => {
    const key = keyOf(socket);
    raw.set(key, socket);
    socket.on('error', () => {}); // a reset peer: nothing to do but let it go
    const timer = setTimeout(() => {
      if (!withStreams.has(key)) socket.resetAndDestroy();
    }, idleTimeoutMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      raw.delete(key);
      withStreams.delete(key);
    });
  });
  const sessions = new Set<http2.Http2Session>();
  const open = new WeakMap<http2.Http2Session, number>(); // streams open per connection
  server.on('session', (s) => {
    sessions.add(s);
    open.set(s, 0);
    s.on('stream', (stream) => {
      if (s.socket) withStreams.add(keyOf(s.socket));
      open.set(s, (open.get(s) ?? 0) + 1);
      stream.once('close', () => open.set(s, (open.get(s) ?? 1) - 1));
    });
    s.on('close', () => sessions.delete(s));
    // Idle (no frame for a while) with no stream open — or never a preface at all: closed.
    s.setTimeout(idleTimeoutMs, () => {
      if ((open.get(s) ?? 0) > 0) return;
      // The raw socket first: once the session is destroyed, its socket object says destroyed but stays open.
      const sock = s.socket ? raw.get(keyOf(s.socket)) : undefined;
      sock?.resetAndDestroy();
      s.destroy();
    });
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    },
    // Graceful: no new streams; Watch streams end, calls in flight finish, then the sessions close;
    // a session still open after 5 s (a client that never lets go) is destroyed.
    close() {
      health.stop();
      return new Promise((resolve) => {
        for (const s of sessions) s.close();
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, 5_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

const NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const codeName = (code: number) => NAMES[code] ?? String(code);
