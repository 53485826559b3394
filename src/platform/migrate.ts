// dbmate is the one migration tool: the start script, `npm run migrate`, tests and the deploy all call it.
import { spawn } from 'node:child_process';
import { resolveBinary } from 'dbmate';
import { migrationsDir } from './paths.js';

export interface DbmateResult {
  code: number;
  output: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Runs `dbmate <args>` against `url`, streaming each output line to `onLine`. */
export function runDbmate(url: string, args: string[], onLine: (line: string) => void = () => {}): Promise<DbmateResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(resolveBinary(), ['--migrations-dir', migrationsDir, '--no-dump-schema', ...args], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const take = (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        output += `${line}\n`;
        if (line.trim()) onLine(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial.trim()) {
        output += partial;
        onLine(partial);
      }
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Applies every pending migration, or throws naming the migration that failed. */
export async function migrateUp(url: string, onLine?: (line: string) => void, wait = false): Promise<void> {
  const result = await runDbmate(url, [...(wait ? ['--wait'] : []), 'up'], onLine);
  if (result.code !== 0) {
    const failed = /Applying: (\S+)(?![\s\S]*Applying:)/.exec(result.output)?.[1];
    const why =
      result.output
        .trim()
        .split('\n')
        .filter((l) => /error/i.test(l))
        .pop() ?? result.output.trim();
    throw new MigrationError(failed ? `Migration ${failed} failed: ${why}` : `dbmate up failed (exit ${result.code}): ${why}`);
  }
}
