// How many request bytes the process may hold at once, over both listeners: bodies still arriving
// (HTTP) and gRPC messages read before their call runs. Without it, memory was bounded only by
// MAX_CONNECTIONS × streams: 50 gRPC connections of half-sent bodies held ≈ 800 MiB. Each client
// (by address) may hold a share of it, so one client's flood leaves room for everyone else.
// A request that would pass either bound is refused at once: 503 `unavailable` (HTTP) or UNAVAILABLE
// (gRPC), with Retry-After; what it held is given back as soon as it ends.

export interface RequestBudget {
  /** Takes `bytes` for `client`; false (nothing taken) when the process or the client would pass its bound. */
  take(client: string, bytes: number): boolean;
  /** Gives back what was taken. */
  give(client: string, bytes: number): void;
  /** Bytes held now, by everyone. */
  readonly held: number;
}

export function createRequestBudget(opts: { totalBytes: number; perClientBytes: number }): RequestBudget {
  let held = 0;
  const byClient = new Map<string, number>();
  return {
    take(client, bytes) {
      const mine = byClient.get(client) ?? 0;
      if (held + bytes > opts.totalBytes || mine + bytes > opts.perClientBytes) return false;
      held += bytes;
      byClient.set(client, mine + bytes);
      return true;
    },
    give(client, bytes) {
      held -= bytes;
      const left = (byClient.get(client) ?? 0) - bytes;
      if (left > 0) byClient.set(client, left);
      else byClient.delete(client);
    },
    get held() {
      return held;
    },
  };
}

/** No bound (tests of other things, and a listener built without one). */
export const unboundedBudget: RequestBudget = {
  take: () => true,
  give: () => {},
  held: 0,
};

/**
 * Most connections one client address may hold open on a listener (0: no bound): one more is closed at
 * once. Counted per listener by the socket's peer address (a proxy in front counts as one client).
 */
export function limitConnectionsPerClient(
  server: { on(event: 'connection', listener: (socket: import('node:net').Socket) => void): unknown },
  max: number,
  onRefused?: () => void,
): void {
  if (!max) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const peer = socket.remoteAddress ?? '';
    const n = (open.get(peer) ?? 0) + 1;
    if (n > max) {
      onRefused?.();
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    open.set(peer, n);
    socket.once('close', () => {
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
    });
  });
}
