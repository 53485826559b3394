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

/**
 * One readiness state for every Check and Watch of this server: at most one readiness query a second
 * however many streams watch, and none while nobody does. Watchers are told of changes.
 */
function sharedReadiness(check: () => Promise<Status>) {
  let last: Status | undefined;
  let lastAt = 0;
  let inflight: Promise<Status> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const watchers = new Set<(s: Status | 'stopped') => void>();
  const now = (): Promise<Status> => {
    if (last !== undefined && Date.now() - lastAt < WATCH_INTERVAL_MS) return Promise.resolve(last);
    inflight ??= check().then((s) => {
      last = s;
      lastAt = Date.now();
      inflight = undefined;
      return s;
    });
    return inflight;
  };
  const tick = async () => {
    const s = await now();
    for (const w of watchers) w(s);
    timer = watchers.size > 0 && !stopped ? setTimeout(tick, WATCH_INTERVAL_MS) : undefined;
  };
  return {
    now,
    get stopped() {
      return stopped;
    },
    /** Called with the state once a second while subscribed (and 'stopped' when the server stops). */
    subscribe(watcher: (s: Status | 'stopped') => void): () => void {
      watchers.add(watcher);
      if (!timer && !stopped) timer = setTimeout(tick, WATCH_INTERVAL_MS);
      return () => watchers.delete(watcher);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers) w('stopped');
    },
  };
}

/** Health/Watch bounds: streams open at once (each holds ≈ 50 KB), and a stream's lifetime. */
export const WATCH_DEFAULTS = { maxStreams: 1_000, lifetimeMs: 30 * 60_000 };

export function healthRoutes(ops: Operations, bounds: { maxStreams?: number; lifetimeMs?: number } = {}) {
  const maxStreams = bounds.maxStreams ?? WATCH_DEFAULTS.maxStreams;
  const lifetimeMs = bounds.lifetimeMs ?? WATCH_DEFAULTS.lifetimeMs;
  let open = 0;
  const checkNow = async () => {
    try {
      await ops.health.readiness();
      return Status.SERVING;
    } catch {
      return Status.NOT_SERVING;
    }
  };
  // A Check asks the database; every Watch shares one state, refreshed once a second while watched.
  const readiness = sharedReadiness(checkNow);
  const routes = (router: ConnectRouter) =>
    router.service(Health, {
      async check(req) {
        if (!KNOWN.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
        return create(HealthCheckResponseSchema, { status: await checkNow() });
      },
      async *watch(req, ctx) {
        if (!KNOWN.has(req.service)) {
          yield create(HealthCheckResponseSchema, { status: Status.SERVICE_UNKNOWN });
          return;
        }
        // Bounded: past maxStreams a new Watch is refused (the client retries later, or Checks); each
        // stream ends OK after its lifetime, and the client watches again (gRPC health clients do).
        if (open >= maxStreams) {
          throw new ConnectError(`too many Watch streams open (${maxStreams}): retry later, or use Check`, Code.ResourceExhausted, {
            'x-error-code': 'rate_limited',
          });
        }
        open++;
        let expired = false;
        let wake: (() => void) | undefined;
        const lifetime = setTimeout(() => {
          expired = true;
          wake?.();
        }, lifetimeMs);
        const seen: (Status | 'stopped')[] = [];
        const unsubscribe = readiness.subscribe((s) => {
          seen.push(s);
          wake?.();
        });
        const onAbort = () => wake?.();
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        try {
          let current = await readiness.now();
          yield create(HealthCheckResponseSchema, { status: current });
          while (!ctx.signal.aborted && !expired) {
            if (seen.length === 0 && !expired) await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            for (const s of seen.splice(0)) {
              if (s === 'stopped') return; // the server is stopping: the stream ends
              if (s !== current) {
                current = s;
                yield create(HealthCheckResponseSchema, { status: s });
              }
            }
          }
        } finally {
          open--;
          clearTimeout(lifetime);
          unsubscribe();
          ctx.signal.removeEventListener('abort', onAbort);
        }
      },
    });
  return { routes, stop: () => readiness.stop() };
}
