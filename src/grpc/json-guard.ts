// A gRPC request's body, read before Connect decodes it within the process's request budget
// (src/platform/request-budget.ts). Its raw JSON (gRPC-JSON, gRPC-Web-JSON or Connect-JSON) is
// held to the HTTP API's rules (src/json-text.ts): no number with a fraction or an exponent, no key
// twice, and an integer given as a string in canonical decimal digits only (protobuf's JSON decoder
// would take "0x10" as 16, " 7 " as 7, "1.0" as 1). Binary protobuf passes untouched: it cannot be loose.
// A refused body is replaced by an empty message, and the problem handed to the RPC, whose adapter
// refuses it as INVALID_ARGUMENT `validation_failed` like every other invalid input.
import type http2 from 'node:http2';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import { type DescMessage, type DescMethod, ScalarType } from '@bufbuild/protobuf';
import { CANONICAL_INTEGER, type JsonTextProblem, jsonTextProblem } from '../json-text.js';
import { type RequestBudget, unboundedBudget } from '../platform/request-budget.js';

const INTEGERS = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
  ScalarType.INT32,
  ScalarType.UINT32,
  ScalarType.SINT32,
  ScalarType.FIXED32,
  ScalarType.SFIXED32,
]);

/** How a content type frames its messages: one bare message (Connect unary), or length-prefixed envelopes; and whether JSON. */
function framing(contentType: string): { frames: 'bare' | 'enveloped'; json: boolean } | undefined {
  const ct = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (ct === 'application/json') return { frames: 'bare', json: true };
  if (ct === 'application/proto') return { frames: 'bare', json: false };
  if (ct === 'application/grpc+json' || ct === 'application/grpc-web+json' || ct === 'application/connect+json')
    return { frames: 'enveloped', json: true };
  if (/^application\/(grpc|grpc-web|connect)(\+proto)?$/.test(ct)) return { frames: 'enveloped', json: false };
  return undefined;
}

const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

/**
 * One message inflated off the event loop (zlib's thread pool), to at most `maxBytes`: past that zlib
 * stops and it throws, and the body goes on to Connect, whose own limit refuses it.
 */
async function inflate(bytes: Uint8Array, encoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
  if (!encoding || encoding === 'identity') return bytes;
  if (encoding === 'gzip') return gunzipAsync(bytes, { maxOutputLength: maxBytes });
  if (encoding === 'br') return brotliAsync(bytes, { maxOutputLength: maxBytes });
  return bytes;
}

/** An integer field given as a string that is not canonical decimal, anywhere in the message. */
function looseInteger(desc: DescMessage, value: unknown): JsonTextProblem | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  for (const field of desc.fields) {
    const v = obj[field.name] ?? obj[field.jsonName];
    if (v === undefined || v === null) continue;
    const bad: JsonTextProblem = { field: field.name, message: 'must be an integer in decimal digits (a string of them, or a number)' };
    if (field.fieldKind === 'scalar' && INTEGERS.has(field.scalar)) {
      if (typeof v === 'string' && !CANONICAL_INTEGER.test(v)) return bad;
    } else if (field.fieldKind === 'list' && field.listKind === 'scalar' && INTEGERS.has(field.scalar) && Array.isArray(v)) {
      if (v.some((x) => typeof x === 'string' && !CANONICAL_INTEGER.test(x))) return bad;
    } else if (field.fieldKind === 'message') {
      const inner = looseInteger(field.message, v);
      if (inner) return inner;
    } else if (field.fieldKind === 'list' && field.listKind === 'message' && Array.isArray(v)) {
      for (const x of v) {
        const inner = looseInteger(field.message, x);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function problemOf(text: string, method: DescMethod): JsonTextProblem | undefined {
  const raw = jsonTextProblem(text);
  if (raw) return raw;
  try {
    return looseInteger(method.input, JSON.parse(text));
  } catch {
    return undefined; // not JSON at all: Connect's decoder says so
  }
}

export interface GuardedBody {
  /** The body to hand to Connect: what was read, or an empty message in its place when refused. */
  body: AsyncIterable<Uint8Array>;
  problem?: JsonTextProblem;
  /** The process (or this client) already holds as many request bytes as it may: refuse the call. */
  overBudget?: boolean;
}

const once = (b: Uint8Array): AsyncIterable<Uint8Array> =>
  (async function* () {
    yield b;
  })();

/** An empty message in the request's framing: what Connect decodes when the body is refused. */
function emptyMessage(frames: 'bare' | 'enveloped', json: boolean): Buffer {
  const msg = Buffer.from(json ? '{}' : '');
  if (frames === 'bare') return msg;
  const header = Buffer.alloc(5);
  header.writeUInt32BE(msg.length, 1);
  return Buffer.concat([header, msg]);
}

/**
 * Reads a request's body before Connect does (at most `maxBytes` and a little: past that it is handed on
 * as read, for Connect's own size limit to refuse), each chunk taken from the process's request budget
 * for `client` and given back when the stream closes; a JSON body is also checked. Undefined for a
 * content type Connect will refuse anyway (or a GET): Connect reads that itself.
 */
export async function guardJsonBody(
  req: http2.Http2ServerRequest,
  method: DescMethod,
  maxBytes: number,
  budget: RequestBudget = unboundedBudget,
  client = '',
): Promise<GuardedBody | undefined> {
  const kind = framing(String(req.headers['content-type'] ?? ''));
  if (!kind || req.method !== 'POST') return undefined;
  const { frames, json } = kind;
  const chunks: Buffer[] = [];
  let size = 0;
  let taken = 0;
  req.stream.once('close', () => budget.give(client, taken));
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (!budget.take(client, chunk.length)) {
      // Nothing more is read: the call is refused, and the peer's flow control stops it sending.
      chunks.length = 0;
      return { body: once(emptyMessage(frames, json)), overBudget: true };
    }
    taken += chunk.length;
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBytes + 64 * 1024) break;
  }
  const bytes = Buffer.concat(chunks);
  const pass = (b: Uint8Array, problem?: JsonTextProblem): GuardedBody => ({ body: once(b), problem });
  if (!json || size > maxBytes + 64 * 1024) return pass(bytes);
  try {
    if (frames === 'bare') {
      const text = Buffer.from(await inflate(bytes, req.headers['content-encoding'] as string | undefined, maxBytes)).toString('utf8');
      const problem = problemOf(text, method);
      return problem ? pass(emptyMessage('bare', true), problem) : pass(bytes);
    }
    // Only the first message is read. Every method here takes one message (unary or server-streaming):
    // a second one is Connect's to refuse (UNIMPLEMENTED, as gRPC says), uninflated and unparsed here.
    // So what is inflated before authentication is bounded by one message's limit, not by the number of
    // frames an attacker packs into the body.
    const encoding = (req.headers['grpc-encoding'] ?? req.headers['connect-content-encoding']) as string | undefined;
    for (let at = 0; at + 5 <= bytes.length; ) {
      const flags = bytes[at]!;
      const length = bytes.readUInt32BE(at + 1);
      const payload = bytes.subarray(at + 5, at + 5 + length);
      at += 5 + length;
      if (flags & 0b10) continue; // an end-of-stream frame (Connect streaming): not a message
      const text = Buffer.from(flags & 1 ? await inflate(payload, encoding, maxBytes) : payload).toString('utf8');
      const problem = problemOf(text, method);
      if (problem) return pass(emptyMessage('enveloped', true), problem);
      break;
    }
  } catch {
    // A body that does not inflate or frame: Connect's decoder refuses it in its own words.
  }
  return pass(bytes);
}
