// The OpenAPI document as other teams generate clients from it: the route schemas, refined once when
// the document is made (never on a request's path):
// - every schema with a `title` (the entities, request bodies, Problem, ErrorCode, Currency) becomes a
//   named component, referenced by `$ref`, instead of being inlined wherever it is used;
// - a union of string constants is written as one `enum`;
// - a query parameter with a default is optional, as the server treats it;
// - an example on every request body, parameter and response (./openapi-examples.ts);
// - the headers the service sends are declared: X-Request-Id on every answer, Idempotent-Replayed on
//   the answers a money movement can replay, Retry-After on 429 and 503.
import { EXAMPLES, PROBLEMS } from './openapi-examples.js';
import { PROBLEM_TITLES } from './problem.js';

type Json = Record<string, unknown>;

const MONEY_OPERATIONS = new Set([
  'createTransfer',
  'createDeposit',
  'createWithdrawal',
  'postTransfer',
  'voidTransfer',
  'reverseTransfer',
  'freezeAccount',
  'unfreezeAccount',
  'closeAccount',
]);

const HEADERS: Record<string, Json> = {
  XRequestId: {
    description:
      'The request id: an incoming `X-Request-Id` (1–128 of `A-Za-z0-9._:-`) is honoured, else one is made; it is in the log line too.',
    schema: { type: 'string' },
  },
  IdempotentReplayed: {
    description: '`true` when this is the stored answer of an earlier request with the same `Idempotency-Key` (no money moved now).',
    schema: { type: 'string', enum: ['true'] },
  },
  RetryAfter: {
    description: 'Seconds after which a retry is worth it.',
    schema: { type: 'integer', minimum: 1 },
  },
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `anyOf: [{type: string, enum: [a]}, …]` → `{type: string, enum: [a, …]}`, keeping the rest. */
function collapseStringUnion(node: Json): Json {
  const members = node.anyOf;
  if (!Array.isArray(members) || members.length === 0) return node;
  const values: unknown[] = [];
  for (const m of members) {
    if (!isObject(m) || m.type !== 'string' || !Array.isArray(m.enum) || Object.keys(m).length !== 2) return node;
    values.push(...m.enum);
  }
  const { anyOf: _drop, ...rest } = node;
  return { ...rest, type: 'string', enum: values };
}

export function refineDocument(doc: Json): Json {
  doc.components ??= {};
  const components = doc.components as Json;
  components.schemas ??= {};
  const schemas = components.schemas as Json;
  components.headers = { ...(components.headers as Json | undefined), ...HEADERS };

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    let out: Json = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    out = collapseStringUnion(out);
    if (typeof out.title === 'string' && /^[A-Z][A-Za-z]+$/.test(out.title)) {
      const name = out.title;
      if (out.nullable === true) {
        // `Entry | null`, which @fastify/swagger hoists into `{…Entry, nullable: true}`: OpenAPI 3.0
        // ignores `nullable` beside a `$ref`, so the null is a member of its own.
        const { nullable: _n, description, ...component } = out;
        schemas[name] ??= component;
        return {
          anyOf: [{ $ref: `#/components/schemas/${name}` }, { type: 'object', nullable: true, enum: [null] }],
          ...(description === undefined ? {} : { description }),
        };
      }
      schemas[name] ??= out;
      return { $ref: `#/components/schemas/${name}` };
    }
    return out;
  };
  doc.paths = walk(doc.paths);

  for (const item of Object.values(doc.paths as Json)) {
    for (const op of Object.values(item as Json)) {
      if (!isObject(op)) continue;
      // Examples from the README's journey (./openapi-examples.ts): what Swagger UI's "Try it out" sends.
      const examples = EXAMPLES[String(op.operationId)] ?? {};
      for (const p of (op.parameters as Json[] | undefined) ?? []) {
        if (p.in === 'query' && isObject(p.schema) && 'default' in p.schema) p.required = false;
        const example = examples.params?.[String(p.name)];
        if (example !== undefined) p.example = example;
      }
      const body = (op.requestBody as { content?: Record<string, Json> } | undefined)?.content?.['application/json'];
      if (body && examples.body !== undefined) body.example = examples.body;
      for (const [status, response] of Object.entries((op.responses as Json | undefined) ?? {})) {
        const content = isObject(response) ? (response.content as Record<string, Json> | undefined) : undefined;
        if (!content) continue;
        if (status.startsWith('2') && content['application/json'] && examples.ok !== undefined)
          content['application/json'].example = examples.ok;
        const problemOf = PROBLEMS[status];
        if (content['application/problem+json'] && problemOf) {
          const code = String(problemOf.code);
          content['application/problem+json'].example = {
            type: `urn:simple-bank:problem:${code}`,
            title: PROBLEM_TITLES[Number(status)] ?? 'Error',
            status: Number(status),
            ...problemOf,
          };
        }
      }
      for (const [status, response] of Object.entries((op.responses as Json | undefined) ?? {})) {
        if (!isObject(response)) continue;
        const headers: Json = { 'X-Request-Id': { $ref: '#/components/headers/XRequestId' } };
        if (MONEY_OPERATIONS.has(String(op.operationId)) && (status === '200' || status === '201' || status === '422')) {
          headers['Idempotent-Replayed'] = { $ref: '#/components/headers/IdempotentReplayed' };
        }
        if (status === '429' || status === '503') headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
        response.headers = { ...(response.headers as Json | undefined), ...headers };
      }
    }
  }
  return doc;
}
