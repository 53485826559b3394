// Prometheus metrics (prom-client), served on METRICS_PORT (never the API's port): the names and labels
// of contract v1.2. Every label value comes from a closed set — a route template, an RPC name, a
// contract code, a state — never a user name, an id, a token or a raw path. With METRICS_PORT=0 the
// service records nothing (`noMetrics`), which is also the baseline the benchmark compares against.
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the service records. Features take the callbacks they need; none of them knows prom-client. */
export interface Metrics {
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  grpcHandled(type: 'unary' | 'server_stream', service: string, method: string, code: string, seconds: number): void;
  /** A money movement's outcome: `ok` or the contract code it was refused with. */
  moneyMovement(
    kind: 'transfer' | 'deposit' | 'withdrawal' | 'post' | 'void' | 'reverse' | 'freeze' | 'unfreeze' | 'close',
    outcome: string,
  ): void;
  /** One ledger call done: its items, and its time from sending to the answers (retries included). */
  ledgerCall(items: number, seconds: number): void;
  /** How long one money movement waited for a ledger slot (group commit) before its call was sent. */
  ledgerWait(seconds: number): void;
  ledgerRetry(reason: 'deadlock' | 'serialization'): void;
  /** A 503 answered, by what was unavailable. */
  unavailable(cause: string): void;
  /** The outcome of a readiness check (/readyz, gRPC health): 1 ready, 0 not. */
  ready(ok: boolean): void;
  /** A request refused by a rate limit (`login`, `signup`, `password_change`). */
  rateLimited(limit: string): void;
  /** How long a password hash or check waited for a free slot. */
  passwordWait(seconds: number): void;
  /** A job attempt that threw (graphile-worker retries it; `final`: its attempts are used up). */
  jobFailed(task: string, final: boolean): void;
  /** Events numbered by this process's sequencer. */
  eventsNumbered(n: number): void;
  /** A webhook delivery attempt's outcome: delivered, retrying, failed. */
  webhookDelivery(outcome: 'delivered' | 'retrying' | 'failed'): void;
  /** Gauges read at each scrape. */
  watch(sources: GaugeSources): void;
  /** The Prometheus text exposition (empty when off). */
  exposition(): Promise<{ contentType: string; body: string }>;
}

export interface GaugeSources {
  pool?: { totalCount: number; idleCount: number; waitingCount: number };
  groupCommit?: { pending: { queued: number; inFlight: number } };
  sessionListener?: { listening: boolean; enabled: boolean };
  passwords?: { load: { running: number; queued: number } };
  /** The job queue and the outbox, read from the database at each scrape (one query). */
  queues?: { read(): Promise<QueueStats> };
  events?: { waiting: number };
}

export interface QueueStats {
  /** Per task: jobs due and not taken, the age of the oldest of them, and jobs given up (attempts used up). */
  jobs: { task: string; ready: number; oldestReadyAgeS: number; givenUp: number }[];
  /** Events committed and not yet numbered, and the age of the oldest. */
  outbox: { events: number; oldestAgeS: number };
}

const noop = () => {};
export const noMetrics: Metrics = {
  httpRequest: noop,
  grpcHandled: noop,
  moneyMovement: noop,
  ledgerCall: noop,
  ledgerWait: noop,
  ledgerRetry: noop,
  unavailable: noop,
  ready: noop,
  rateLimited: noop,
  passwordWait: noop,
  jobFailed: noop,
  eventsNumbered: noop,
  webhookDelivery: noop,
  watch: noop,
  exposition: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }),
};

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Latency buckets in seconds, from 1 ms to 10 s (the service's own bound). */
const LATENCY = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY,
    registers: [register],
  });
  const grpcHandled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server, by type, service, method and code.',
    labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'],
    registers: [register],
  });
  const grpcHandling = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'How long RPCs took to handle, by type, service and method.',
    labelNames: ['grpc_type', 'grpc_service', 'grpc_method'],
    buckets: LATENCY,
    registers: [register],
  });
  const movements = new Counter({
    name: 'simplebank_money_movements_total',
    help: 'Money movements by kind and outcome (ok, or the contract code of the refusal).',
    labelNames: ['kind', 'outcome'],
    registers: [register],
  });
  const batchSize = new Histogram({
    name: 'simplebank_ledger_batch_size',
    help: 'Money movements per call of the ledger function (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [register],
  });
  const callDuration = new Histogram({
    name: 'simplebank_ledger_call_seconds',
    help: 'Ledger calls, from sending the call to its answers after COMMIT (retries included).',
    buckets: LATENCY,
    registers: [register],
  });
  const queueWait = new Histogram({
    name: 'simplebank_ledger_queue_wait_seconds',
    help: 'How long a money movement waited for a ledger slot (group commit) before its call was sent.',
    buckets: [0, ...LATENCY],
    registers: [register],
  });
  const retries = new Counter({
    name: 'simplebank_ledger_retries_total',
    help: 'Ledger calls retried, by reason (deadlock, serialization).',
    labelNames: ['reason'],
    registers: [register],
  });
  const unavailable = new Counter({
    name: 'simplebank_unavailable_total',
    help: 'Answers 503 unavailable, by cause.',
    labelNames: ['cause'],
    registers: [register],
  });
  const ready = new Gauge({
    name: 'simplebank_ready',
    help: "1 when the last readiness check passed (the database answers, can be written, at this build's schema), else 0.",
    registers: [register],
  });
  const rateLimited = new Counter({
    name: 'simplebank_rate_limited_total',
    help: 'Requests refused by a rate limit, by limit.',
    labelNames: ['limit'],
    registers: [register],
  });
  const passwordWait = new Histogram({
    name: 'simplebank_password_hash_wait_seconds',
    help: 'How long a password hash or check waited for a free argon2 slot.',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [register],
  });
  let sources: GaugeSources = {};
  new Gauge({
    name: 'simplebank_db_pool_connections',
    help: 'Connections of the database pool by state (idle, busy) and requests waiting for one.',
    labelNames: ['state'],
    registers: [register],
    collect() {
      const p = sources.pool;
      if (!p) return;
      this.set({ state: 'idle' }, p.idleCount);
      this.set({ state: 'busy' }, p.totalCount - p.idleCount);
      this.set({ state: 'waiting' }, p.waitingCount);
    },
  });
  new Gauge({
    name: 'simplebank_group_commit_queue_depth',
    help: 'Money movements waiting for a ledger call.',
    registers: [register],
    collect() {
      if (sources.groupCommit) this.set(sources.groupCommit.pending.queued);
    },
  });
  new Gauge({
    name: 'simplebank_ledger_calls_in_flight',
    help: 'Ledger calls running (each holds one pooled connection).',
    registers: [register],
    collect() {
      if (sources.groupCommit) this.set(sources.groupCommit.pending.inFlight);
    },
  });
  new Gauge({
    name: 'simplebank_session_listener_up',
    help: '1 while the session listener hears the database (LISTEN with a heartbeat that proves delivery), else 0.',
    registers: [register],
    collect() {
      const l = sources.sessionListener;
      if (l) this.set(l.enabled && l.listening ? 1 : 0);
    },
  });
  new Gauge({
    name: 'simplebank_password_hash_queue_depth',
    help: 'Password hashes and checks waiting for a free argon2 slot.',
    registers: [register],
    collect() {
      if (sources.passwords) this.set(sources.passwords.load.queued);
    },
  });

  const jobFailures = new Counter({
    name: 'simplebank_job_failures_total',
    help: 'Background job attempts that threw, by task; final="true": its attempts are used up (given up).',
    labelNames: ['task', 'final'],
    registers: [register],
  });
  const numbered = new Counter({
    name: 'simplebank_events_numbered_total',
    help: 'Events numbered by this process (the sequencer).',
    registers: [register],
  });
  const deliveries = new Counter({
    name: 'simplebank_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retrying, failed: given up).',
    labelNames: ['outcome'],
    registers: [register],
  });
  // One read of the database per scrape, shared by the gauges below (each collect() awaits it).
  let stats: Promise<QueueStats | undefined> | undefined;
  const readStats = () => {
    stats ??= (sources.queues?.read() ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .finally(() => {
        setTimeout(() => {
          stats = undefined;
        }, 100).unref();
      });
    return stats;
  };
  const perTask = (name: string, help: string, pick: (j: QueueStats['jobs'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['task'],
      registers: [register],
      async collect() {
        const s = await readStats();
        if (!s) return;
        this.reset();
        for (const j of s.jobs) this.set({ task: j.task }, pick(j));
      },
    });
  perTask('simplebank_jobs_ready', 'Background jobs due and not yet taken, by task (the queue depth).', (j) => j.ready);
  perTask('simplebank_jobs_oldest_ready_age_seconds', 'How long the oldest job due has waited, by task.', (j) => j.oldestReadyAgeS);
  perTask('simplebank_jobs_given_up', 'Jobs whose attempts are used up, still in the queue, by task.', (j) => j.givenUp);
  new Gauge({
    name: 'simplebank_event_outbox_events',
    help: 'Events committed and not yet numbered (the sequencer runs after every ledger call and each second).',
    registers: [register],
    async collect() {
      const s = await readStats();
      if (s) this.set(s.outbox.events);
    },
  });
  new Gauge({
    name: 'simplebank_event_outbox_oldest_age_seconds',
    help: 'Age of the oldest event not yet numbered (0: none).',
    registers: [register],
    async collect() {
      const s = await readStats();
      if (s) this.set(s.outbox.oldestAgeS);
    },
  });
  new Gauge({
    name: 'simplebank_event_waiters',
    help: 'Long-polls (GET /events, ListEvents) and WatchEvents streams waiting for an event.',
    registers: [register],
    collect() {
      if (sources.events) this.set(sources.events.waiting);
    },
  });

  return {
    jobFailed: (task, final) => jobFailures.inc({ task, final: String(final) }),
    eventsNumbered: (n) => numbered.inc(n),
    webhookDelivery: (outcome) => deliveries.inc({ outcome }),
    httpRequest(method, route, status, seconds) {
      httpDuration.observe({ method: HTTP_METHODS.has(method) ? method : 'other', route, status_code: String(status) }, seconds);
    },
    grpcHandled(type, service, method, code, seconds) {
      grpcHandled.inc({ grpc_type: type, grpc_service: service, grpc_method: method, grpc_code: code });
      grpcHandling.observe({ grpc_type: type, grpc_service: service, grpc_method: method }, seconds);
    },
    moneyMovement: (kind, outcome) => movements.inc({ kind, outcome }),
    ledgerCall(items, seconds) {
      batchSize.observe(items);
      callDuration.observe(seconds);
    },
    ledgerWait: (seconds) => queueWait.observe(seconds),
    ledgerRetry: (reason) => retries.inc({ reason }),
    unavailable: (cause) => unavailable.inc({ cause }),
    ready: (ok) => ready.set(ok ? 1 : 0),
    rateLimited: (limit) => rateLimited.inc({ limit }),
    passwordWait: (seconds) => passwordWait.observe(seconds),
    watch(s) {
      sources = { ...sources, ...s };
    },
    async exposition() {
      return { contentType: register.contentType, body: await register.metrics() };
    },
  };
}

/** GET /metrics on its own port (METRICS_PORT, same HOST); anything else 404. */
export function createMetricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?', 1)[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
}
