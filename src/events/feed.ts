// Events (API v1.3): the sequencer that numbers what committed, and the feed that hands it out.
//
// Writers append to the outbox in their own transaction (the ledger function, account opening, hold
// expiry); nothing here is on their path. Numbering happens after commit, in the database
// (sql/functions/sequence_events.pgsql, where the reason is written), one sequencer at a time over
// every replica; this module only says when to run it:
// - after every ledger call of this process (`poke`: at most one run in flight, one more queued),
// - once a second, for what other processes, the expiry job or a crashed replica left.
//
// The feed: a reader's page is one indexed query. A reader that finds nothing and may wait (long-poll,
// WatchEvents) waits here without querying: each process hears every new number once — from its own
// sequencer, or from the others' NOTIFY on a session of its own — reads the new events once for all
// its waiters, and wakes only the waiters who may see one of them (each then reads its own page).
// Without a session to LISTEN on, the process asks for the last number once a second while anyone
// waits. Waiters (long-polls and streams together) are bounded.
import pg from 'pg';
import type { Logger } from 'pino';
import { lastEventSequence, listAllEvents, listNewEventOwners, listOwnEvents, sequenceEvents } from '../../generated/events.queries.js';
import type { Queryable } from '../db/pool.js';

export const EVENTS_CHANNEL = 'simplebank_events';
/** Outbox rows (writing statements, a ledger call's events each) a sequencer run numbers at most (it
 * runs again at once when there were more). */
const SEQUENCE_BATCH = 1_000;
/** The least time between two sequencer runs of a process while ledger calls keep coming. Each run is a
 * transaction with its own commit (a WAL flush) and NOTIFY: at 50 ms rather than 10 ms, Postgres spent
 * 9 % less CPU per spread movement and spread ran 0.95× main before the events instead of 0.89×
 * (bench:budget, 3 rounds); an event waits at most this much longer under load (bench/README.md). */
const SEQUENCE_GAP_MS = 50;
/** How many new events one wake-up read takes at a time. */
const DISPATCH_BATCH = 1_000;

/** The event types of the contract. */
export const EVENT_TYPES = [
  'transfer.posted',
  'transfer.pending',
  'transfer.voided',
  'transfer.expired',
  'account.opened',
  'account.frozen',
  'account.unfrozen',
  'account.closed',
  'user.email_verified',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event as the API shows it. */
export interface BankEvent {
  id: string;
  sequence: number;
  type: EventType;
  created_at: string;
  data: Record<string, unknown>;
}

/** Who reads: a banker sees every event, a depositor those of their own accounts and user. */
export interface Viewer {
  username: string;
  banker: boolean;
}

export interface EventPage {
  items: BankEvent[];
  next_after: number;
}

interface Row {
  sequence: string;
  type: string;
  created_at: string;
  data: unknown;
  owner_a: string;
  owner_b: string | null;
}

const toEvent = (r: Row): BankEvent => ({
  id: `evt_${r.sequence}`,
  sequence: Number(r.sequence),
  type: r.type as EventType,
  created_at: r.created_at,
  data: r.data as Record<string, unknown>,
});

const sees = (v: Viewer, r: Pick<Row, 'owner_a' | 'owner_b'>) => v.banker || r.owner_a === v.username || r.owner_b === v.username;

export interface EventFeedOptions {
  /** Where to LISTEN for numbers given by other processes; unset: asked once a second while anyone waits. */
  listenUrl?: string;
  /** Waiters (long-polls and WatchEvents streams) at once; past it a new wait is refused. */
  maxWaiters?: number;
  log?: Logger;
  /** Sequencer runs and the events each numbered (metrics). */
  onSequenced?: (moved: number) => void;
  /** How long a WatchEvents stream lasts before it ends (the client resumes); default 30 min. */
  streamLifetimeMs?: number;
}

/** A wait that was refused: too many waiters already. */
export class TooManyWaitersError extends Error {}

export interface EventFeed {
  /** Something may have been appended to the outbox: number it soon. */
  poke(): void;
  /** One page of the viewer's events after `after`, ascending. */
  page(viewer: Viewer, after: number, limit: number): Promise<EventPage>;
  /**
   * The viewer's events after `after`; when there are none, waits up to `waitMs` for the first (an
   * abort or close ends the wait with an empty page). Throws TooManyWaitersError past the bound.
   */
  list(viewer: Viewer, after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<EventPage>;
  /**
   * Waits until an event the viewer may see exists after `after` (resolves true), or the signal
   * aborts / the feed closes (false). Counted among the waiters.
   */
  waitFor(viewer: Viewer, after: number, signal?: AbortSignal): Promise<boolean>;
  /** Takes a waiter's place for a stream's life; returns the release, or throws TooManyWaitersError. */
  admit(): () => void;
  /**
   * A stream of the viewer's events after `after`: those there are, then each new one as it is
   * numbered, in order. Takes a waiter's place at once (TooManyWaitersError past the bound); ends when
   * the signal aborts, after the stream lifetime, or when the feed stops waiting.
   */
  watch(viewer: Viewer, after: number, signal?: AbortSignal): AsyncGenerator<BankEvent>;
  /** Ends every wait and stream now (shutdown's first step); numbering goes on until close. */
  endWaits(): void;
  /** Told after each run of this process's sequencer that numbered events (the webhook fan-out). */
  onNumbered(listener: (last: number) => void): void;
  /** The highest number this process knows of. */
  readonly known: number;
  readonly waiting: number;
  /** Numbers once more what is left, then stops (waiters are released). */
  close(): Promise<void>;
}

interface Waiter {
  viewer: Viewer;
  after: number;
  wake(found: boolean): void;
}

export function createEventFeed(pool: Queryable, opts: EventFeedOptions = {}): EventFeed {
  const maxWaiters = opts.maxWaiters ?? 1_000;
  const log = opts.log?.child({ component: 'events' });
  let closed = false;
  let known = 0; // the highest number heard of
  let dispatched = 0; // waiters have been told of every event up to here
  const waiters = new Set<Waiter>();
  let admitted = 0; // places taken: waiters and streams
  const stopping = new AbortController(); // aborted: no wait goes on

  // ── The sequencer ──
  const numbered: ((last: number) => void)[] = [];
  let running: Promise<void> | undefined;
  let again = false;
  let failing = false;
  async function sequence(): Promise<void> {
    do {
      again = false;
      try {
        const [r] = await sequenceEvents.run({ limit: SEQUENCE_BATCH }, pool);
        if (failing) log?.info('the event sequencer runs again');
        failing = false;
        if (r && r.moved > 0) {
          opts.onSequenced?.(r.moved);
          for (const l of numbered) l(Number(r.last));
          heard(Number(r.last));
          if (r.rows_taken >= SEQUENCE_BATCH) again = true;
        }
        // Under load, runs at most every SEQUENCE_GAP_MS: each is a transaction of its own (a commit,
        // a NOTIFY), so many ledger calls share one; a lone call's events are numbered at once.
        if (again && !closed) await new Promise((r) => setTimeout(r, SEQUENCE_GAP_MS));
      } catch (err) {
        // The next poke or tick tries again: the rows wait in the outbox, committed.
        if (!failing) log?.warn(`the event sequencer failed (it retries): ${(err as Error).message}`);
        failing = true;
        return;
      }
    } while (again && !closed);
  }
  function poke(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = sequence().finally(() => {
      running = undefined;
    });
  }
  const tick = setInterval(poke, 1_000);
  tick.unref();

  // ── Hearing of new numbers, and waking the waiters who may see them ──
  let reading = false;
  function heard(last: number): void {
    if (last <= known) return;
    known = last;
    if (waiters.size === 0) {
      dispatched = known;
      return;
    }
    void dispatch();
  }
  async function dispatch(): Promise<void> {
    if (reading) return;
    reading = true;
    try {
      while (dispatched < known && waiters.size > 0 && !closed) {
        const rows = await listNewEventOwners.run({ after: dispatched, limit: DISPATCH_BATCH }, pool);
        if (rows.length === 0) break; // numbered, but not yet visible to this connection: the next number retries
        for (const w of waiters) {
          if (rows.some((r) => Number(r.sequence) > w.after && sees(w.viewer, r))) w.wake(true);
        }
        dispatched = Number(rows[rows.length - 1]!.sequence);
      }
      if (waiters.size === 0) dispatched = Math.max(dispatched, known);
    } catch (err) {
      log?.warn(`reading new events for the waiters failed: ${(err as Error).message}`);
      for (const w of waiters) w.wake(true); // each reads its own page instead
    } finally {
      reading = false;
    }
  }

  // Other processes' numbers: NOTIFY on a session, or a poll once a second while anyone waits.
  let listener: pg.Client | undefined;
  let listening = false;
  let retry: NodeJS.Timeout | undefined;
  async function listen(attempt = 0): Promise<void> {
    if (closed || !opts.listenUrl) return;
    const client = new pg.Client({ connectionString: opts.listenUrl, application_name: 'simple-bank-events' });
    const down = (err?: Error) => {
      if (listener !== client) return;
      listener = undefined;
      listening = false;
      if (err && !closed) log?.warn(`the events listener is lost (it reconnects): ${err.message}`);
      client.end().catch(() => {});
      if (!closed) retry = setTimeout(() => void listen(attempt + 1), Math.min(250 * 2 ** attempt, 5_000));
    };
    listener = client;
    client.on('error', down);
    client.on('end', () => down());
    client.on('notification', (n) => {
      const last = Number(n.payload);
      if (Number.isSafeInteger(last)) heard(last);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (listener !== client) return;
      listening = true;
      attempt = 0;
      // What was numbered while nobody listened.
      await askLast();
    } catch (err) {
      down(err as Error);
    }
  }
  async function askLast(): Promise<void> {
    const [r] = await lastEventSequence.run(undefined, pool);
    if (r) heard(Number(r.last));
  }
  void listen();
  const poll = setInterval(() => {
    if (!listening && waiters.size > 0 && !closed) askLast().catch(() => {});
  }, 1_000);
  poll.unref();

  // ── Reading ──
  async function page(viewer: Viewer, after: number, limit: number): Promise<EventPage> {
    const rows: Row[] = viewer.banker
      ? await listAllEvents.run({ after, limit }, pool)
      : await listOwnEvents.run({ owner: viewer.username, after, limit }, pool);
    const items = rows.map(toEvent);
    return { items, next_after: items.length > 0 ? items[items.length - 1]!.sequence : after };
  }

  function admit(): () => void {
    if (closed || stopping.signal.aborted) throw new TooManyWaitersError('the service is stopping');
    if (admitted >= maxWaiters) throw new TooManyWaitersError(`too many event waiters (${maxWaiters}): retry later`);
    admitted++;
    let released = false;
    return () => {
      if (!released) admitted--;
      released = true;
    };
  }

  /** Registers a waiter (the caller holds a place); resolves when woken, aborted or closed. */
  function waitOnce(viewer: Viewer, after: number, signal?: AbortSignal): { woken: Promise<boolean>; cancel(): void } {
    let w!: Waiter;
    const woken = new Promise<boolean>((resolve) => {
      const onAbort = () => w.wake(false);
      w = {
        viewer,
        after,
        wake(found) {
          waiters.delete(w);
          signal?.removeEventListener('abort', onAbort);
          resolve(found);
        },
      };
      if (closed || signal?.aborted) return resolve(false);
      waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Heard of but not yet read for the waiters: read it now.
      if (dispatched < known) void dispatch();
    });
    return { woken, cancel: () => w.wake(false) };
  }

  async function waitFor(viewer: Viewer, after: number, signal?: AbortSignal): Promise<boolean> {
    // Registered before the check, so nothing numbered in between is missed.
    const { woken, cancel } = waitOnce(viewer, after, signal);
    try {
      if ((await page(viewer, after, 1)).items.length > 0) {
        cancel();
        return true;
      }
    } catch (err) {
      cancel();
      throw err;
    }
    return woken;
  }

  async function list(viewer: Viewer, after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<EventPage> {
    const first = await page(viewer, after, limit);
    if (first.items.length > 0 || waitMs <= 0) return first;
    const release = admit();
    const timeout = AbortSignal.timeout(waitMs);
    const until = AbortSignal.any(signal ? [signal, timeout, stopping.signal] : [timeout, stopping.signal]);
    try {
      while (!until.aborted && !closed) {
        if (!(await waitFor(viewer, after, until))) break;
        const next = await page(viewer, after, limit);
        if (next.items.length > 0) return next;
      }
      return { items: [], next_after: after };
    } finally {
      release();
    }
  }

  const lifetimeMs = opts.streamLifetimeMs ?? 30 * 60_000;
  function watch(viewer: Viewer, from: number, signal?: AbortSignal): AsyncGenerator<BankEvent> {
    const release = admit(); // now, not at the first read: a refusal is the call's answer
    const until = AbortSignal.any([AbortSignal.timeout(lifetimeMs), stopping.signal, ...(signal ? [signal] : [])]);
    async function* stream(): AsyncGenerator<BankEvent> {
      let after = from;
      try {
        while (!until.aborted) {
          const next = await page(viewer, after, 500);
          for (const e of next.items) yield e;
          after = next.next_after;
          if (next.items.length === 500) continue;
          if (!(await waitFor(viewer, after, until))) return;
        }
      } finally {
        release();
      }
    }
    return stream();
  }

  function endWaits(): void {
    stopping.abort();
    for (const w of waiters) w.wake(false);
  }

  return {
    poke,
    page,
    list,
    waitFor,
    admit,
    watch,
    endWaits,
    onNumbered: (l) => void numbered.push(l),
    get known() {
      return known;
    },
    get waiting() {
      return waiters.size;
    },
    async close() {
      endWaits();
      closed = true;
      clearInterval(tick);
      clearInterval(poll);
      clearTimeout(retry);
      await running;
      // One last run: what this process committed is numbered before it goes (a run elsewhere would too).
      await sequence().catch(() => {});
      const l = listener;
      listener = undefined;
      await l?.end().catch(() => {});
    },
  };
}
