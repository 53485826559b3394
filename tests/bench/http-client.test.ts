// The load generator's HTTP/1.1 client (bench/http.ts) against a real Node HTTP server: the answers
// it reads are the ones the server wrote, whatever their framing, and it never opens more than
// its connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, untilReady } from '../../bench/http.js';

let server: Server;
let base: string;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const echo = JSON.stringify({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization ?? null,
        key: req.headers['x-key'] ?? null,
        body,
      });
      if (req.url === '/chunked') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.write(echo.slice(0, 5));
        setTimeout(() => res.end(echo.slice(5)), 5);
      } else if (req.url === '/empty') res.writeHead(204).end();
      else if (req.url === '/close') res.writeHead(200, { connection: 'close', 'content-length': Buffer.byteLength(echo) }).end(echo);
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200, { 'content-length': 2 }).end('ok'), 20);
      else if (req.url === '/readyz') res.writeHead(200, { 'content-length': 2 }).end('ok');
      else res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(echo) }).end(echo);
    });
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

it('sends the method, path, headers and JSON body; reads a Content-Length answer, UTF-8 included', async () => {
  const send = createClient(base, 2);
  const r = await send('POST', '/x?y=1', { name: 'café ☕' }, 'tok', { 'x-key': 'k1' });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toEqual({ method: 'POST', url: '/x?y=1', auth: 'Bearer tok', key: 'k1', body: '{"name":"café ☕"}' });
});

it('reads a chunked answer, a 204 without a body, and goes on after the server closes a connection', async () => {
  const send = createClient(base, 1);
  const chunked = await send('GET', '/chunked');
  expect(chunked.status).toBe(201);
  expect(JSON.parse(chunked.body).url).toBe('/chunked');
  expect(await send('GET', '/empty')).toEqual({ status: 204, body: '' });
  expect((await send('GET', '/close')).status).toBe(200);
  // The closed connection is not reused: the next request opens another.
  expect((await send('GET', '/after')).status).toBe(200);
});

it('never opens more than its connections: 20 requests on 3 queue and all come back', async () => {
  const before = sockets.size;
  const send = createClient(base, 3);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => send('GET', i % 2 ? '/slow' : `/n${i}`)));
  expect(answers.every((a) => a.status === 200)).toBe(true);
  expect(sockets.size - before).toBe(3);
});

it('untilReady fails with the last answer once its time is up', async () => {
  const send = createClient('http://127.0.0.1:1', 1); // nothing listens on port 1
  await expect(untilReady(send, 'nothing', 0.3)).rejects.toThrow(/nothing did not become ready in 0.3 s \(last: .*ECONNREFUSED/);
  await expect(untilReady(createClient(base, 1), 'the echo server', 1)).resolves.toBeUndefined();
});
