import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { migrateUp } from '../../src/platform/migrate.js';
import { withDatabase } from '../../src/platform/urls.js';
import {
  findPgbench,
  type PgbenchResult,
  prepareLedgerRef,
  preparePgbench,
  prepareSimplebankRef,
  runLedgerBatch,
  runPgbench,
  runSimplebankRef,
} from '../pgbench.js';

export interface ReferencesOptions {
  /** The reference designs (A, C, D on this schema; sA, sC on the simplebank schema). */
  designs: boolean;
  /** The service's own ledger function through pgbench. */
  ledger: boolean;
  log: (m: string) => void;
  /** A superuser's connection to the server's `postgres` database (creates and drops the databases). */
  admin: pg.Client;
  db: { url: string; poolUrl: string };
  pgbenchDir: string;
  simplebankDir: string;
  connections: number;
  duration: number;
  /** The server's CPU time so far (every process), ms; NaN when it cannot be read. */
  dbCpu: () => number;
}

// The database's own limit, on this server, now, with nothing else running: the reference
// designs, and the service's own ledger function called by pgbench (no Node in the way).
export async function referencesPhase(opts: ReferencesOptions): Promise<PgbenchResult[]> {
  const { log, admin, db, pgbenchDir, simplebankDir, connections, duration, dbCpu } = opts;
  const pgbench: PgbenchResult[] = [];
  const tools = findPgbench(pgbenchDir);
  if (typeof tools === 'string') {
    log(`pgbench designs skipped: ${tools}`);
  } else {
    if (opts.designs) {
      await admin.query('DROP DATABASE IF EXISTS pgbench_ref');
      await admin.query('CREATE DATABASE pgbench_ref');
      const refUrl = withDatabase(db.poolUrl, 'pgbench_ref');
      const refLo = await preparePgbench(tools, withDatabase(db.url, 'pgbench_ref'), (u) => migrateUp(u));
      for (const w of ['spread', 'hot'] as const) {
        for (const d of ['A', 'C', 'D']) {
          log(`pgbench ${d} ${w} @${connections} (${duration} s)`);
          const cpu0 = dbCpu();
          const r = runPgbench(tools, refUrl, refLo, d, w, connections, duration);
          r.dbCpuMsPerTransfer = (dbCpu() - cpu0) / (r.perSecond * duration);
          pgbench.push(r);
          log(
            `  ${r.name}: ${r.perSecond.toFixed(0)} transfers/s, latency avg ${r.latencyAvgMs.toFixed(1)} ms, Postgres CPU ${r.dbCpuMsPerTransfer.toFixed(2)} ms/transfer`,
          );
        }
      }
      // The floor of a lone request: one client, one transfer at a time, one COMMIT (WAL flush) each.
      log(`pgbench C spread @1 (${duration} s)`);
      const lone = runPgbench(tools, refUrl, refLo, 'C', 'spread', 1, duration);
      pgbench.push(lone);
      log(`  ${lone.name}: ${lone.perSecond.toFixed(0)} transfers/s, latency avg ${lone.latencyAvgMs.toFixed(2)} ms`);
      await admin.query('DROP DATABASE pgbench_ref WITH (FORCE)');
      // The same designs on the simplebank schema (../shared/pgbench), beside them.
      if (existsSync(join(simplebankDir, 'schema.sql'))) {
        await admin.query('DROP DATABASE IF EXISTS simplebank_ref');
        await admin.query('CREATE DATABASE simplebank_ref');
        const sbUrl = withDatabase(db.poolUrl, 'simplebank_ref');
        prepareSimplebankRef(tools, simplebankDir, withDatabase(db.url, 'simplebank_ref'));
        for (const w of ['spread', 'hot'] as const) {
          for (const d of ['A', 'C'] as const) {
            log(`pgbench simplebank schema ${d} ${w} @${connections} (${duration} s)`);
            const cpu0 = dbCpu();
            const r = runSimplebankRef(tools, simplebankDir, sbUrl, d, w, connections, duration);
            r.dbCpuMsPerTransfer = (dbCpu() - cpu0) / (r.perSecond * duration);
            pgbench.push(r);
            log(`  ${r.name}: ${r.perSecond.toFixed(0)} transfers/s, Postgres CPU ${r.dbCpuMsPerTransfer.toFixed(2)} ms/transfer`);
          }
        }
        await admin.query('DROP DATABASE simplebank_ref WITH (FORCE)');
      } else {
        log(`the simplebank schema's references skipped: no ${join(simplebankDir, 'schema.sql')} (--simplebank-dir)`);
      }
    }
    if (opts.ledger) {
      await admin.query('DROP DATABASE IF EXISTS ledger_ref');
      await admin.query('CREATE DATABASE ledger_ref');
      const refUrl = withDatabase(db.poolUrl, 'ledger_ref');
      const lo = await prepareLedgerRef(tools, withDatabase(db.url, 'ledger_ref'), (u) => migrateUp(u));
      // [items per call, workload, keyed, clients]; the last one is a lone call, the floor of the
      // service's lone request (beside design C at 1 client).
      const runs = [
        [1, 'spread', false, connections],
        [1, 'spread', true, connections],
        [16, 'spread', false, connections],
        [16, 'spread', true, connections],
        [1, 'hot', false, connections],
        [16, 'hot', false, connections],
        [1, 'spread', false, 1],
      ] as const;
      for (const [n, w, keyed, clients] of runs) {
        {
          log(`pgbench: the ledger function, ${n} per call${keyed ? ', keyed' : ''}, ${w} @${clients} (${duration} s)`);
          const cpu0 = dbCpu();
          const r = runLedgerBatch(tools, refUrl, lo, n, w, clients, duration, keyed);
          r.dbCpuMsPerTransfer = (dbCpu() - cpu0) / (r.perSecond * duration);
          pgbench.push(r);
          log(
            `  ${r.name}: ${r.perSecond.toFixed(0)} transfers/s, latency avg ${r.latencyAvgMs.toFixed(1)} ms, Postgres CPU ${r.dbCpuMsPerTransfer.toFixed(2)} ms/transfer`,
          );
        }
      }
      await admin.query('DROP DATABASE ledger_ref WITH (FORCE)');
    }
  }
  return pgbench;
}
