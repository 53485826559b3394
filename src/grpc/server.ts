// The gRPC adapter's server: HTTP/2 cleartext on GRPC_PORT, speaking gRPC (binary and JSON codecs),
// gRPC-Web and the Connect protocol (Connect's Node adapter). One log line per RPC; x-request-id
// honoured and returned; every refusal mapped by ./errors.ts. TLS ends at the ingress or mesh.
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import { Code, ConnectError, createConnectRouter, createContextValues, type Interceptor } from '@connectrpc/connect';
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
import { ValidationError } from '../errors.js';
import type { Operations } from '../operations.js';
import { toConnectError } from './errors.js';
import { healthRoutes } from './health.js';
import { guardJsonBody } from './json-guard.js';
import { reflectionRoutes } from './reflection.js';
import { kClientIp, kJsonProblem, kUser, simpleBankRoutes } from './service.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface GrpcServerOptions {
  log?: Logger;
  /** Largest accepted message, in bytes (as BODY_LIMIT_BYTES on HTTP). */
  readMaxBytes?: number;
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
  const readMaxBytes = opts.readMaxBytes ?? 64 * 1024;
  const logAndMap: Interceptor = (next) => async (req) => {
    const started = performance.now();
    const incoming = req.header.get('x-request-id');
    const reqId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const line = (status: string) =>
      log?.info(
        {
          reqId,
          rpc: `${req.service.typeName}/${req.method.name}`,
          status,
          ms: Math.round((performance.now() - started) * 10) / 10,
          user: req.contextValues.get(kUser).username,
        },
        'rpc',
      );
    try {
      // A JSON body the raw check refused (./json-guard.ts) is invalid input, whatever it decoded to.
      const loose = req.contextValues.get(kJsonProblem);
      if (loose) throw new ValidationError(loose.field, loose.message);
      const res = await next(req);
      res.header.set('x-request-id', reqId);
      line('OK');
      return res;
    } catch (raw) {
      const { error, unexpected } = toConnectError(raw);
      if (unexpected) log?.error({ err: raw, reqId }, 'unhandled error in an RPC');
      error.metadata.set('x-request-id', reqId);
      line(codeName(error.code));
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
  healthRoutes(ops)(router);
  reflectionRoutes(FILES, SERVICES)(router);
  const byPath = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const handler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    const rpc = byPath.get((req.url ?? '').split('?', 1)[0]!);
    if (!rpc) {
      res.writeHead(404);
      res.end();
      return;
    }
    const values = createContextValues()
      .set(kClientIp, req.socket?.remoteAddress ?? '')
      .set(kUser, {});
    guardJsonBody(req, rpc.method, readMaxBytes)
      .then((guarded) => {
        const uReq = universalRequestFromNodeRequest(req, res, undefined, values);
        if (guarded) {
          uReq.body = guarded.body;
          if (guarded.problem) values.set(kJsonProblem, guarded.problem);
        }
        return rpc(uReq);
      })
      .then((answer) => universalResponseToNodeResponse(answer, res))
      .catch((reason: unknown) => {
        const gone = res.stream?.destroyed || ConnectError.from(reason).code === Code.Aborted;
        const entry = { rpc: `${rpc.service.typeName}/${rpc.method.name}`, reason: ConnectError.from(reason).message };
        if (gone) log?.debug(entry, 'the client went away before the answer was written');
        else log?.error(entry, 'the answer of an RPC could not be written');
      });
  };
  const server = http2.createServer(handler);
  const sessions = new Set<http2.Http2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
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
    // Graceful: no new streams; calls in flight finish, then the sessions close.
    close() {
      return new Promise((resolve) => {
        for (const s of sessions) s.close();
        server.close(() => resolve());
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
