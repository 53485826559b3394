// Real processes: the service as `npm start` runs it, and the project's own scripts.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

export { freePort } from '../../scripts/free-port.js';

export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point of the project the way its npm scripts do (node --import tsx): one process. */
export function runTs(script: string, args: string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, script), ...args], {
    cwd: projectRoot,
    // GRPC_PORT 0: no gRPC server (the suite's processes would otherwise all want 9090); tests of gRPC set one.
    env: { ...process.env, NODE_ENV: 'test', GRPC_PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

export async function waitForReady(base: string, proc: Proc, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) throw new Error(`server exited early (${proc.child.exitCode}):\n${proc.output()}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server not ready after ${ms} ms:\n${proc.output()}`);
}

/** Waits until the process has printed a line matching `pattern` (its own log, written after it serves). */
export async function waitForOutput(proc: Proc, pattern: RegExp, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(proc.output())) {
    if (proc.child.exitCode !== null)
      throw new Error(`process exited (${proc.child.exitCode}) before printing ${pattern}:\n${proc.output()}`);
    if (Date.now() > until) throw new Error(`no ${pattern} after ${ms} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const p = runTs(script, args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(true));
    s.listen(port, '127.0.0.1', () => s.close(() => res(false)));
  });
}
