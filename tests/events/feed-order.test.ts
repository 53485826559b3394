// The feed never skips an event: what a reader sees is always a prefix of the numbering
// (migrations/20261207120000_events.sql says why the numbers are given after commit).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { createEventFeed, type EventFeed, type Viewer } from '../../src/events/feed.js';
import { asCents } from '../../src/ids.js';
import { createTestDb, type TestDb } from '../setup/db.js';
import { makeAccount, makeUser } from '../setup/fixtures.js';
import { transfer } from '../setup/ledger.js';

let db: TestDb;
const banker: Viewer = { username: 'nobody-in-particular', banker: true };

beforeAll(async () => {
  db = await createTestDb(60);
});
afterAll(async () => {
  await db.drop();
});

const outboxRow = (c: pg.ClientBase, owner: string) =>
  c.query<{ id: string }>(
    `INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)
     VALUES (ARRAY['account.opened'], ARRAY[NULL::bigint], ARRAY[json_build_object('account', json_build_object('owner', $1::text))],
             ARRAY[$1::text], ARRAY[NULL::text]) RETURNING id`,
    [owner],
  );

describe('the order of the feed', () => {
  test('an event whose transaction commits late still comes after every event already read (a number taken at insert would have been skipped)', async () => {
    const feed = createEventFeed(db.pool);
    const late = new pg.Client({ connectionString: db.url });
    const early = new pg.Client({ connectionString: db.url });
    await Promise.all([late.connect(), early.connect()]);
    try {
      const start = (await feed.page(banker, 0, 1000)).next_after;
      // `late` appends first (the lower outbox id) but commits after `early`.
      await late.query('BEGIN');
      const lateId = Number((await outboxRow(late, 'late')).rows[0]!.id);
      await early.query('BEGIN');
      const earlyId = Number((await outboxRow(early, 'early')).rows[0]!.id);
      await early.query('COMMIT');
      expect(lateId).toBeLessThan(earlyId);

      await feed.close(); // its last sequencer run numbers what has committed: early's event
      const reader = createEventFeed(db.pool);
      const first = await reader.page(banker, start, 1000);
      await reader.close(); // `late` has not committed yet: nothing more is numbered
      expect(first.items.map((e) => e.data.account)).toEqual([{ owner: 'early' }]);

      await late.query('COMMIT');
      const again = createEventFeed(db.pool);
      await again.close();
      const second = await again.page(banker, first.next_after, 1000);
      // A reader paging with `after` gets it now. Numbered by insert order (the outbox id), it would have
      // been 1 below what the reader already had, and never returned.
      expect(second.items.map((e) => e.data.account)).toEqual([{ owner: 'late' }]);
      expect(second.items[0]!.sequence).toBeGreaterThan(first.next_after);
    } finally {
      await Promise.all([late.end(), early.end()]);
    }
  });

  test('40 concurrent writers, two sequencers (two replicas) and a reader paging with `after`: every event once, in order; a depositor sees only their own', async () => {
    const owners = await Promise.all(Array.from({ length: 8 }, (_, i) => makeUser(db.pool, `o${i}`)));
    const accounts = await Promise.all(owners.map((o) => makeAccount(db.pool, o, 'USD', 1_000_000)));
    const pools = [new pg.Pool({ connectionString: db.url, max: 5 }), new pg.Pool({ connectionString: db.url, max: 5 })];
    const feeds: EventFeed[] = pools.map((p) => createEventFeed(p));
    await createEventFeed(db.pool).close(); // the fixtures' events numbered: the writers' come after `start`
    const start = Number((await db.pool.query('SELECT last FROM event_counter')).rows[0].last);
    const writers = 40;
    const perWriter = 25;
    let writing = true;

    const read = async (viewer: Viewer) => {
      const seen: { sequence: number; id: string; data: any; type: string }[] = [];
      let after = start;
      for (;;) {
        const done = !writing;
        // Counted before the page: when nothing is left to number, this page reaches the end.
        const left = done ? Number((await db.pool.query('SELECT count(*) FROM event_outbox')).rows[0].count) : -1;
        const page = await feeds[0]!.page(viewer, after, 37);
        seen.push(...page.items);
        after = page.next_after;
        if (page.items.length === 0 && done) {
          if (left === 0) return seen;
          feeds[0]!.poke();
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const reader = read(banker);
    const depositor = read({ username: owners[0]!, banker: false });

    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const from = accounts[(w + i) % accounts.length]!;
          const to = accounts[(w + i + 1 + (w % 3)) % accounts.length]!;
          await transfer(
            db.pool,
            { fromAccountId: from.id, toAccountId: to.id, amount: asCents(1 + (i % 7)), currency: 'USD' },
            { attempts: 20 },
          );
          feeds[(w + i) % 2]!.poke();
        }
      }),
    );
    writing = false;
    const [seen, own] = await Promise.all([reader, depositor]);
    await Promise.all(feeds.map((f) => f.close()));
    await Promise.all(pools.map((p) => p.end()));

    // Exactly once, ascending, and the numbering has no hole.
    const seqs = seen.map((e) => e.sequence);
    expect(seqs).toEqual(seqs.map((_, i) => start + 1 + i));
    expect(seen).toHaveLength(writers * perWriter);
    // Every committed transfer is there, once.
    const ids = (await db.pool.query<{ id: string }>(`SELECT id FROM transfers WHERE created_at > now() - interval '10 minutes'`)).rows.map(
      (r) => Number(r.id),
    );
    const deposits = accounts.length; // the fixtures' deposits came before `start`
    expect(new Set(seen.map((e) => e.data.transfer.id))).toEqual(new Set(ids.slice(deposits)));

    // The depositor: in order, and exactly the events of their own account.
    const mine = seen.filter((e) => [e.data.transfer.from_account_id, e.data.transfer.to_account_id].includes(accounts[0]!.id));
    expect(own.map((e) => e.sequence)).toEqual(mine.map((e) => e.sequence));
    expect(own.length).toBeGreaterThan(0);
  }, 120_000);
});
