// grpc.health.v1.Health over the operation layer's readiness: SERVING only while the database
// answers at this build's schema, NOT_SERVING otherwise. Services known: "" (the server) and
// simplebank.v1.SimpleBank; any other is NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch).
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
} from '../../generated/proto/grpc/health/v1/health_pb.js';
import { SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import type { Operations } from '../operations.js';

const KNOWN = new Set(['', SimpleBank.typeName]);
const WATCH_INTERVAL_MS = 1_000;

export function healthRoutes(ops: Operations) {
  const status = async (): Promise<Status> => {
    try {
      await ops.health.readiness();
      return Status.SERVING;
    } catch {
      return Status.NOT_SERVING;
    }
  };
  return (router: ConnectRouter) =>
    router.service(Health, {
      async check(req) {
        if (!KNOWN.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
        return create(HealthCheckResponseSchema, { status: await status() });
      },
      async *watch(req, ctx) {
        if (!KNOWN.has(req.service)) {
          yield create(HealthCheckResponseSchema, { status: Status.SERVICE_UNKNOWN });
          return;
        }
        let last: Status | undefined;
        while (!ctx.signal.aborted) {
          const now = await status();
          if (now !== last) yield create(HealthCheckResponseSchema, { status: now });
          last = now;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, WATCH_INTERVAL_MS);
            ctx.signal.addEventListener(
              'abort',
              () => {
                clearTimeout(timer);
                resolve();
              },
              { once: true },
            );
          });
        }
      },
    });
}
