// The load generator's HTTP/1.1 client: keep-alive sockets, one request at a time on each (no
// pipelining, as a browser or Node's own agent does), the request written in one write, and only as
// much of the answer parsed as a benchmark needs (status, Content-Length or chunked body). Node's
// http client spent ≈ 0.35 ms of CPU per request here — a quarter of a two-core machine at the
// service's rate, taken from the server and Postgres it measures. pgbench, the baseline, is a lean C
// program: so is this, as far as JavaScript goes. What the server receives is the same HTTP.
import net from 'node:net';

export interface Answer {
  status: number;
  body: string;
}
export type Send = (method: string, path: string, body?: unknown, token?: string, extra?: Record<string, string>) => Promise<Answer>;

interface Pending {
  head: string;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection: requests one after another, answers parsed as they arrive. */
class Connection {
  private readonly socket: net.Socket;
  private current: Pending | undefined;
  private buf: Buffer = Buffer.alloc(0);
  closed = false;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (c: Connection) => void,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (d) => this.onData(d));
    const fail = (err: Error) => this.fail(err);
    this.socket.on('error', fail);
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  send(p: Pending): void {
    this.current = p;
    this.socket.write(p.head);
  }

  private fail(err: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.onClose(this);
    }
    this.socket.destroy();
    const p = this.current;
    this.current = undefined;
    p?.reject(err);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const start = end + 4;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body: string;
    let rest: number;
    if (length) {
      const n = Number(length[1]);
      if (this.buf.length < start + n) return;
      body = this.buf.toString('utf8', start, start + n);
      rest = start + n;
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const eol = this.buf.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = Number.parseInt(this.buf.toString('latin1', at, eol), 16);
        if (this.buf.length < eol + 2 + size + 2) return;
        if (size === 0) {
          rest = eol + 4;
          break;
        }
        parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      body = ''; // 204, 304, or a body-less answer
      rest = start;
    }
    this.buf = rest < this.buf.length ? this.buf.subarray(rest) : Buffer.alloc(0);
    const p = this.current!;
    this.current = undefined;
    const closing = /\r\nconnection: *close/i.test(head);
    if (closing) {
      this.closed = true;
      this.onClose(this);
      this.socket.end();
    }
    p.resolve({ status, body });
    if (!closing) this.onIdle(this);
  }
}

/** Polls GET /readyz until 200; past `seconds`, fails with the last answer (or error) it got. */
export async function untilReady(send: Send, label: string, seconds = 30): Promise<void> {
  const until = Date.now() + seconds * 1000;
  let last = 'no answer';
  for (;;) {
    try {
      const r = await send('GET', '/readyz');
      if (r.status === 200) return;
      last = `${r.status} ${r.body.slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > until) throw new Error(`${label} did not become ready in ${seconds} s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A client of `base` with at most `connections` keep-alive connections; requests queue beyond. */
export function createClient(base: string, connections: number): Send {
  const url = new URL(base);
  const host = url.hostname;
  const port = Number(url.port);
  const authority = `${host}:${port}`;
  const idle: Connection[] = [];
  const waiting: Pending[] = [];
  let open = 0;

  const onIdle = (c: Connection) => {
    const next = waiting.shift();
    if (next) c.send(next);
    else idle.push(c);
  };
  const onClose = (c: Connection) => {
    open--;
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    const next = waiting.shift();
    if (next) dispatch(next);
  };
  const dispatch = (p: Pending): void => {
    const c = idle.pop();
    if (c) c.send(p);
    else if (open < connections) {
      open++;
      new Connection(host, port, onIdle, onClose).send(p);
    } else waiting.push(p);
  };

  return (method, path, body, token, extra) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${authority}\r\n`;
    if (payload) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n`;
    if (token) head += `authorization: Bearer ${token}\r\n`;
    if (extra) for (const k in extra) head += `${k}: ${extra[k]}\r\n`;
    head += `\r\n${payload}`;
    return new Promise<Answer>((resolve, reject) => dispatch({ head, resolve, reject }));
  };
}
