// CPU and memory of the processes under test, read from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / 100; // USER_HZ

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU of a process so far, in ms. */
export function cpuMsOf(pid: number): number {
  const f = statFields(pid);
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/**
 * CPU of a Postgres server so far, in ms: the postmaster, its live backends, and every backend that
 * has exited (the postmaster reaps them, so their time is in its children's fields).
 */
export function postgresCpuMs(postmasterPid: number): number {
  const f = statFields(postmasterPid);
  let ms = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const c = statFields(Number(entry));
      if (Number(c[1]) === postmasterPid) ms += (Number(c[11]) + Number(c[12])) * TICK_MS;
    } catch {
      /* gone meanwhile */
    }
  }
  return ms;
}

export function rssMbOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
