// Whether this Node's HTTP/2 server lets a header value with leading or trailing whitespace through.
// RFC 9113 calls such a field malformed, and nghttp2 drops it before any JavaScript sees it — for a gRPC
// `idempotency-key` that meant a call run unkeyed, whose retry paid again. The gRPC server asks Node not
// to drop them (`strictFieldWhitespaceValidation: false`, Node 22.x / 24.2 and later), and the key is then
// read as HTTP reads it (trimmed). Older Node ignores the option; this probe finds out, once, on loopback,
// so the service can say so at start.
//
// Not fixable here on any Node: a value with NUL, CR, LF or DEL is dropped by nghttp2 the same way, and
// Node offers no hook to see it. No conforming client sends one (gRPC's ASCII metadata is 0x20–0x7E; NUL,
// CR and LF are malformed HTTP/2), and docs/API.md says so.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

/** The server options that keep edge whitespace (an option older Node ignores). */
export const LENIENT_WHITESPACE = { strictFieldWhitespaceValidation: false } as const;

let seen: Promise<boolean> | undefined;

export function http2SeesEdgeWhitespace(): Promise<boolean> {
  seen ??= new Promise<boolean>((resolve) => {
    const server = http2.createServer(LENIENT_WHITESPACE as http2.ServerOptions, (req, res) => {
      res.end(req.headers['x-probe'] === ' a ' ? 'yes' : 'no');
    });
    const done = (answer: boolean) => {
      server.close();
      resolve(answer);
    };
    server.on('error', () => done(false));
    server.listen(0, '127.0.0.1', () => {
      const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      client.on('error', () => done(false));
      const req = client.request({ ':path': '/', 'x-probe': ' a ' });
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('error', () => done(false));
      req.on('end', () => {
        client.close();
        done(body === 'yes');
      });
      req.end();
    });
  });
  return seen;
}

/** Says once, at start, when a gRPC idempotency-key with edge whitespace cannot be seen. */
export function warnIfHttp2DropsEdgeWhitespace(log: { warn: (msg: string) => void }, sees: boolean): void {
  if (sees) return;
  log.warn(
    `this Node (${process.version}) drops a gRPC header with leading or trailing whitespace before the service sees it: ` +
      'an idempotency-key sent so is not seen, and the call runs unkeyed. Run Node 22 or 24 (current releases), as package.json says.',
  );
}
