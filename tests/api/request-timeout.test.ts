// Safety v1.2, finding 2 on HTTP: a body sent one byte at a time is cut after REQUEST_TIMEOUT (408),
// not held open for as long as the client likes.
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../setup/app.js';

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({ requestTimeoutMs: 1_000 });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const a = t.app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
afterAll(async () => {
  await t.close();
});

it('a trickled body is answered 408 and the connection closed within the timeout', async () => {
  const socket = connect(port, '127.0.0.1');
  const started = Date.now();
  socket.write('POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
  const timer = setInterval(() => socket.writable && socket.write(' '), 400);
  let answer = '';
  socket.on('data', (d) => (answer += d));
  await new Promise<void>((r) => socket.on('close', () => r()));
  clearInterval(timer);
  expect(Date.now() - started).toBeLessThan(3_500);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
});

it("HTTP/1.1 without a Host header is a problem+json 400 with the security headers, not Node's bare 400", async () => {
  const socket = connect(port, '127.0.0.1');
  socket.write('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
  let answer = '';
  socket.on('data', (d) => (answer += d));
  await new Promise<void>((r) => socket.on('close', () => r()));
  expect(answer).toMatch(/^HTTP\/1\.1 400/);
  expect(answer).toMatch(/content-type: application\/problem\+json/i);
  expect(answer).toMatch(/x-content-type-options: nosniff/i);
  expect(answer).toMatch(/"code":"validation_failed"/);
});

it('CONNECT is answered like any method without a route (404 problem+json), not a socket closed in silence', async () => {
  const socket = connect(port, '127.0.0.1');
  socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  let answer = '';
  socket.on('data', (d) => (answer += d));
  await new Promise<void>((r) => socket.on('close', () => r()));
  expect(answer).toMatch(/^HTTP\/1\.1 404/);
  expect(answer).toMatch(/content-type: application\/problem\+json/i);
  expect(answer).toMatch(/"code":"not_found"/);
});
