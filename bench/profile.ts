// A V8 CPU profile (node --cpu-prof) → where the server's main thread spent its time, by part of the
// stack: each sample's self time goes to the part that owns the frame, or, for a built-in or native
// frame (JSON.parse, writev, a compiled validator), to the nearest caller that has a source file.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The parts, first match wins: [name, test on the frame's url and function name]. */
const PARTS: [string, (url: string, fn: string) => boolean][] = [
  [
    'socket write (writev)',
    (u, fn) => /^(writev|writeUtf8String|writeBuffer|writeLatin1String)$/.test(fn) || u.includes('stream_base_commons'),
  ],
  // fs.writeSync of a string: the log lines going to stdout (pino's destination is synchronous).
  ['log lines written to stdout (writeString)', (_u, fn) => fn === 'writeString'],
  [
    'logging (pino: lines, redaction, child loggers)',
    (u) => /node_modules\/(pino|sonic-boom|fast-redact|@pinojs|pino-std-serializers|thread-stream)\//.test(u),
  ],
  ['metrics (prom-client)', (u) => u.includes('node_modules/prom-client/')],
  ['pg client (protocol, pool, pgtyped)', (u) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+|@pgtyped)\//.test(u)],
  ['auth (tokens, sessions)', (u) => /\/src\/(auth\/|caller\.)/.test(u) || u.includes('node_modules/paseto/')],
  [
    'body parse, validation, serialisation',
    (u) =>
      /\/src\/(http\/validators|json-text|validate|schemas)/.test(u) ||
      /node_modules\/(ajv|ajv-formats|fast-json-stringify|@sinclair|typebox|fast-uri|secure-json-parse|json-schema-ref-resolver)\//.test(u),
  ],
  ['operations and ledger (src/transfers)', (u) => u.includes('/src/transfers/')],
  ['the service, other (src/)', (u) => u.includes('/src/') && !u.includes('node_modules')],
  [
    'Fastify (routing, hooks, reply)',
    (u) => /node_modules\/(fastify|find-my-way|avvio|@fastify|light-my-request|toad-cache|process-warning)\//.test(u),
  ],
  ['HTTP parsing and sockets (node:http, node:net)', (u) => /^node:(_http_|net|internal\/(http|stream|streams)|stream)/.test(u)],
  ['promises, timers, event loop', (u) => /^node:(internal\/(process\/task_queues|timers|async_hooks)|timers|events)/.test(u)],
];

export interface ProfileSummary {
  /** ms of main-thread time sampled, idle excluded. */
  busyMs: number;
  idleMs: number;
  parts: { part: string; ms: number; share: number }[];
  /** The frames with the most self time: where to look first. */
  top: { frame: string; part: string; ms: number }[];
}

/**
 * `window`: only the samples of the last `lastMs` before the final `skipTailMs` (the profile ends when
 * the process exits: its shutdown is the tail; start-up and warm-up come before the window).
 */
export async function summariseProfile(file: string, window?: { lastMs: number; skipTailMs: number }): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const at: number[] = [];
  let t = 0;
  for (const d of profile.timeDeltas) {
    t += d / 1000;
    at.push(t);
  }
  const from = window ? t - window.skipTailMs - window.lastMs : -Infinity;
  const to = window ? t - window.skipTailMs : Infinity;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const { url, functionName } = n.callFrame;
    let part: string | undefined;
    if (functionName === '(garbage collector)') part = 'garbage collection';
    else if (functionName === '(idle)') part = '(idle)';
    else if (functionName === '(program)') part = 'V8 and native, unattributed';
    else {
      part = PARTS.find(([, test]) => test(url, functionName))?.[0];
      if (!part) {
        // A frame without a part of its own: its caller's, or "other" at the root.
        const p = parent.get(id);
        if (url === '' && p !== undefined && byId.get(p)!.callFrame.functionName !== '(root)') part = classify(p);
        else part = url.startsWith('node:') ? 'Node internals, other' : 'other';
      }
    }
    partOf.set(id, part);
    return part;
  };
  const ms = new Map<string, number>();
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if (at[i]! < from || at[i]! > to) continue;
    const id = profile.samples[i]!;
    const part = classify(id);
    const d = (profile.timeDeltas[i] ?? 0) / 1000;
    ms.set(part, (ms.get(part) ?? 0) + d);
    self.set(id, (self.get(id) ?? 0) + d);
  }
  const frames = new Map<string, { frame: string; part: string; ms: number }>();
  for (const [id, v] of self) {
    const part = partOf.get(id)!;
    if (part === '(idle)') continue;
    const { functionName, url } = byId.get(id)!.callFrame;
    const frame =
      `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src)\//, '$1/')}`.trim();
    const f = frames.get(frame) ?? { frame, part, ms: 0 };
    f.ms += v;
    frames.set(frame, f);
  }
  const top = [...frames.values()].sort((a, b) => b.ms - a.ms).slice(0, 15);
  const idleMs = ms.get('(idle)') ?? 0;
  ms.delete('(idle)');
  const busyMs = [...ms.values()].reduce((a, b) => a + b, 0);
  const parts = [...ms.entries()].map(([part, v]) => ({ part, ms: v, share: v / Math.max(1e-9, busyMs) })).sort((a, b) => b.ms - a.ms);
  return { busyMs, idleMs, parts, top };
}
