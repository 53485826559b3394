// Traces (OpenTelemetry), off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Off, nothing of
// OpenTelemetry is loaded (`tracing` is a set of no-ops); on, `startTracing()` loads the SDK with
// dynamic imports and exports spans over OTLP/HTTP, configured by the standard OTEL_* variables
// (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT, OTEL_TRACES_SAMPLER,
// OTEL_BSP_SCHEDULE_DELAY, …). Like OpenTelemetry's own API this is one process-wide tracer: the
// adapters open SERVER spans (parented by an incoming W3C traceparent), the pool and transactions open
// a CLIENT span per database call, and the group commit opens one span per ledger call that links
// every request it carries. It imports nothing of the service, so every layer may use it.

/** A span as the service uses it. */
export interface SpanHandle {
  readonly traceId: string | undefined;
  set(attributes: Record<string, string | number | boolean>): void;
  end(error?: boolean): void;
}

interface Impl {
  server<T>(name: string, attributes: Record<string, string | number>, carrier: Record<string, unknown>, fn: (span: SpanHandle) => T): T;
  resume<T>(span: SpanHandle, fn: () => T): T;
  db<T>(statement: string, fn: () => Promise<T>): Promise<T>;
  link(): unknown;
  ledger<T>(links: unknown[], items: number, fn: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

const NO_SPAN: SpanHandle = { traceId: undefined, set() {}, end() {} };
const off: Impl = {
  server: (_n, _a, _c, fn) => fn(NO_SPAN),
  resume: (_s, fn) => fn(),
  db: (_s, fn) => fn(),
  link: () => undefined,
  ledger: (_l, _n, fn) => fn(),
  shutdown: async () => {},
};
let impl: Impl = off;

export const tracing = {
  get enabled(): boolean {
    return impl !== off;
  },
  /** A SERVER span for an incoming request (its parent: the carrier's traceparent), active inside `fn`. */
  server<T>(name: string, attributes: Record<string, string | number>, carrier: Record<string, unknown>, fn: (span: SpanHandle) => T): T {
    return impl.server(name, attributes, carrier, fn);
  },
  /** Runs `fn` with `span` active again (after a callback-driven step lost the context). */
  resume<T>(span: SpanHandle, fn: () => T): T {
    return impl.resume(span, fn);
  },
  /** A CLIENT span for one database call, a child of the active span. */
  db<T>(statement: string, fn: () => Promise<T>): Promise<T> {
    return impl.db(statement, fn);
  },
  /** The active span, to be linked from a span made later elsewhere (the ledger call that carries it). */
  link(): unknown {
    return impl.link();
  },
  /** An INTERNAL span for one ledger call, linked to every request whose movement it carries. */
  ledger<T>(links: unknown[], items: number, fn: () => Promise<T>): Promise<T> {
    return impl.ledger(links, items, fn);
  },
  shutdown(): Promise<void> {
    return impl.shutdown();
  },
};

/** Loads the SDK and turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces variant) is set. */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  const api = await import('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'simple-bank' }),
    // The exporter and the batch processor read the OTEL_* variables themselves.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracer = api.trace.getTracer('simple-bank');
  const getter = {
    keys: (c: Record<string, unknown>) => Object.keys(c),
    get: (c: Record<string, unknown>, k: string) => {
      const v = c[k];
      return Array.isArray(v) ? v.map(String) : v === undefined ? undefined : String(v);
    },
  };
  const handles = new WeakMap<SpanHandle, import('@opentelemetry/api').Context>();
  const handleOf = (span: import('@opentelemetry/api').Span, ctx: import('@opentelemetry/api').Context): SpanHandle => {
    const h: SpanHandle = {
      traceId: span.spanContext().traceId,
      set: (attributes) => span.setAttributes(attributes),
      end: (error) => {
        if (error) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      },
    };
    handles.set(h, ctx);
    return h;
  };
  /** Runs `fn` with `span` active, and ends it (marked failed when `fn` throws). */
  const inside = async <T>(span: import('@opentelemetry/api').Span, fn: () => Promise<T>): Promise<T> => {
    try {
      return await api.context.with(api.trace.setSpan(api.context.active(), span), fn);
    } catch (err) {
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  };

  impl = {
    server(name, attributes, carrier, fn) {
      const parent = api.propagation.extract(api.ROOT_CONTEXT, carrier, getter);
      const span = tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes }, parent);
      const ctx = api.trace.setSpan(parent, span);
      return api.context.with(ctx, () => fn(handleOf(span, ctx)));
    },
    resume(span, fn) {
      const ctx = handles.get(span);
      return ctx ? api.context.with(ctx, fn) : fn();
    },
    db(statement, fn) {
      const span = tracer.startSpan(statement.trim().split(/\s+/, 1)[0]!.toUpperCase(), {
        kind: api.SpanKind.CLIENT,
        attributes: { 'db.system': 'postgresql', 'db.system.name': 'postgresql', 'db.query.text': statement.slice(0, 2_000) },
      });
      return inside(span, fn);
    },
    link() {
      return api.trace.getSpan(api.context.active())?.spanContext();
    },
    ledger(links, items, fn) {
      const span = tracer.startSpan('ledger call ledger_apply', {
        kind: api.SpanKind.INTERNAL,
        attributes: { 'simplebank.ledger.items': items },
        links: links.filter(Boolean).map((context) => ({ context: context as import('@opentelemetry/api').SpanContext })),
      });
      return inside(span, fn);
    },
    shutdown: () => provider.shutdown(),
  };
  return true;
}
