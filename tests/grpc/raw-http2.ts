// Raw HTTP/2 calls for the gRPC tests that send what no SDK would (loose JSON, broken envelopes,
// odd metadata): one request, its headers and trailers together, its body as text.
import http2 from 'node:http2';

export interface RawAnswer {
  status: number;
  /** Response headers and trailers, merged (gRPC's status may be in either). */
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** `message` in one gRPC envelope (uncompressed). */
export function envelope(message: Buffer): Buffer {
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

/** A POST to `path`, on `target` (a session to reuse, or a base URL: a connection of its own, closed after). */
export function rawCall(
  target: string | http2.ClientHttp2Session,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const own = typeof target === 'string' ? http2.connect(target) : undefined;
    const session = own ?? (target as http2.ClientHttp2Session);
    own?.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, ...headers });
    let head: http2.IncomingHttpHeaders = {};
    let text = '';
    req.on('response', (h) => (head = h));
    req.on('trailers', (tr) => (head = { ...head, ...tr }));
    req.setEncoding('utf8');
    req.on('data', (d) => (text += d));
    req.on('error', reject);
    req.on('end', () => {
      own?.close();
      resolve({ status: Number(head[':status']), headers: head, body: text });
    });
    req.end(body);
  });
}
