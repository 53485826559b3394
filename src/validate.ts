// The TypeBox schemas as validators, for every transport: HTTP compiles them into Fastify's
// validation (src/http/validators.ts), gRPC validates each request message's fields against the
// same schemas (src/grpc/). A failure is one ValidationError naming every failing field.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import { ValidationError } from './errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function makeAjv(coerceTypes: boolean): Ajv {
  const options: Options = { allErrors: true, coerceTypes, removeAdditional: false, useDefaults: true, strict: false };
  const ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

export interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(e: AjvError, context: string | undefined): string {
  const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const leaf =
    (e.keyword === 'required' && String(e.params?.missingProperty ?? '')) ||
    (e.keyword === 'additionalProperties' && String(e.params?.additionalProperty ?? '')) ||
    '';
  const name = [path, leaf].filter(Boolean).join('.');
  return name || (context === 'body' ? 'body' : (context ?? 'request'));
}

function messageOf(e: AjvError): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not allowed';
  if (e.keyword === 'anyOf' || e.keyword === 'const') return 'is not one of the allowed values';
  if (e.keyword === 'minProperties') return 'must name at least one field';
  if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues)) return `must be one of ${e.params.allowedValues.join(', ')}`;
  return e.message ?? 'is invalid';
}

/** Validation failures: one entry per failing field, deduplicated (union members repeat themselves). */
export function validationFields(errors: AjvError[], context: string | undefined) {
  const seen = new Map<string, string>();
  for (const e of errors) {
    // Members of a union fail one by one: the union's own error says it better.
    if (e.keyword === 'const' && errors.some((o) => o.keyword === 'anyOf' && o.instancePath === e.instancePath)) continue;
    const field = fieldOf(e, context);
    if (!seen.has(field)) seen.set(field, messageOf(e));
  }
  return [...seen].map(([field, message]) => ({ field, message }));
}

const strict = makeAjv(false);
const compiled = new WeakMap<TSchema, ReturnType<Ajv['compile']>>();

/** `value` checked against `schema` (defaults filled in): the value, typed, or ValidationError. */
export function validate<T>(schema: TSchema, value: unknown): T {
  let check = compiled.get(schema);
  if (!check) {
    check = strict.compile(schema as object);
    compiled.set(schema, check);
  }
  if (check(value)) return value as T;
  const fields = validationFields((check.errors ?? []) as AjvError[], 'body');
  const first = fields[0] ?? { field: 'request', message: 'is invalid' };
  const err = new ValidationError(first.field, first.message);
  err.fields = fields;
  err.message = fields.map((f) => `${f.field} ${f.message}`).join('; ');
  throw err;
}
