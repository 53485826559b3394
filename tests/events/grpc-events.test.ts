// gRPC ListEvents and WatchEvents: the same feed and visibility as GET /events; a stream that delivers
// what is there, then each new event as it commits, in order; bounded; ended by shutdown.
import { type Client, Code, type ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Event, SimpleBank } from '../../generated/proto/simplebank/v1/simplebank_pb.js';
import { createGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { createOperations } from '../../src/operations.js';
import { grantBanker } from '../../src/users/users.service.js';
import { createTestApp, type TestApp, uniqueName } from '../setup/app.js';

let t: TestApp;
let grpc: GrpcServer;
let bank: Client<typeof SimpleBank>;

beforeAll(async () => {
  t = await createTestApp();
  grpc = createGrpcServer(createOperations(t.deps));
  const port = await grpc.listen(0, '127.0.0.1');
  bank = createClient(SimpleBank, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
});
afterAll(async () => {
  await grpc.close();
  await t.close();
});

async function user(banker = false) {
  const username = uniqueName('ge');
  const password = 'grpc-events-password';
  await bank.createUser({ username, fullName: 'Events User', email: `${username}@example.com`, password });
  if (banker) await grantBanker(t.db.pool, username);
  const s = await bank.loginUser({ username, password });
  return { username, call: { headers: { authorization: `Bearer ${s.accessToken}` } } };
}

/** Reads `n` events of a stream, then cancels it. */
async function take(stream: AsyncIterable<Event>, n: number, ac: AbortController): Promise<Event[]> {
  const got: Event[] = [];
  try {
    for await (const e of stream) {
      got.push(e);
      if (got.length === n) break;
    }
  } finally {
    ac.abort();
  }
  return got;
}

describe('gRPC events', () => {
  test('ListEvents and WatchEvents: the caller’s own events, typed, in order; the stream goes on as they commit', async () => {
    const banker = await user(true);
    const alice = await user();
    const bob = await user();
    const a = (await bank.createAccount({ currency: 'USD' }, alice.call)).account!;
    const b = (await bank.createAccount({ currency: 'USD' }, bob.call)).account!;
    await bank.createDeposit({ accountId: a.id, amount: 1_000n }, banker.call);

    // Bob watches from the start: his account.opened is there; the transfers to him come as they commit.
    const ac = new AbortController();
    const watched = take(bank.watchEvents({ after: 0n }, { ...bob.call, signal: ac.signal }), 4, ac);
    const sent = [];
    for (let i = 1; i <= 3; i++) {
      sent.push(
        (await bank.createTransfer({ fromAccountId: a.id, toAccountId: b.id, amount: BigInt(i), currency: 'USD' }, alice.call)).result!
          .transfer!,
      );
    }
    const got = await watched;
    expect(got.map((e) => e.type)).toEqual(['account.opened', 'transfer.posted', 'transfer.posted', 'transfer.posted']);
    expect(got[0]!.data).toMatchObject({ case: 'account', value: { id: b.id, owner: bob.username } });
    expect(got.slice(1).map((e) => (e.data.case === 'transfer' ? e.data.value.id : 0n))).toEqual(sent.map((s) => s.id));
    const seqs = got.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : 1)));
    for (const e of got) expect(e.id).toBe(`evt_${e.sequence}`);

    // ListEvents pages the same, for alice: her account, the deposit, her three transfers.
    const page1 = await bank.listEvents({ after: 0n, limit: 2 }, alice.call);
    const page2 = await bank.listEvents({ after: page1.nextAfter, limit: 10 }, alice.call);
    expect([...page1.items, ...page2.items].map((e) => e.type)).toEqual([
      'account.opened',
      'transfer.posted',
      'transfer.posted',
      'transfer.posted',
      'transfer.posted',
    ]);
    expect(page2.nextAfter).toBe(page2.items.at(-1)!.sequence);

    // Long-poll over gRPC: nothing yet, then one.
    const waiting = bank.listEvents({ after: page2.nextAfter, waitSeconds: 20 }, alice.call);
    await new Promise((r) => setTimeout(r, 200));
    const late = (await bank.createTransfer({ fromAccountId: a.id, toAccountId: b.id, amount: 9n, currency: 'USD' }, alice.call)).result!
      .transfer!;
    const answered = await waiting;
    expect(answered.items.map((e) => (e.data.case === 'transfer' ? e.data.value.id : 0n))).toEqual([late.id]);
  });

  test('bad arguments are INVALID_ARGUMENT naming the field; no token is UNAUTHENTICATED', async () => {
    const alice = await user();
    for (const [req, field] of [
      [{ limit: 1001 }, 'limit'],
      [{ waitSeconds: 31 }, 'wait'],
      [{ after: -1n }, 'after'],
    ] as const) {
      const err = await bank.listEvents(req, alice.call).then(
        () => undefined,
        (e: unknown) => e as ConnectError,
      );
      expect(err?.code).toBe(Code.InvalidArgument);
      expect(err?.metadata.get('x-error-code')).toBe('validation_failed');
      expect(err?.rawMessage).toContain(field);
    }
    const err = await bank.listEvents({}).then(
      () => undefined,
      (e: unknown) => e as ConnectError,
    );
    expect(err?.code).toBe(Code.Unauthenticated);
  });

  test('a stream ends when the service stops waiting (shutdown): the client resumes from its last sequence', async () => {
    const alice = await user();
    await bank.createAccount({ currency: 'EUR' }, alice.call);
    const got: Event[] = [];
    const ended = (async () => {
      for await (const e of bank.watchEvents({ after: 0n }, alice.call)) got.push(e);
      return 'ended';
    })();
    await new Promise((r) => setTimeout(r, 300));
    t.deps.events.endWaits();
    expect(await ended).toBe('ended');
    expect(got.map((e) => e.type)).toEqual(['account.opened']);
  });
});
