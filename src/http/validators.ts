// Bodies are validated strictly: no type coercion ("100" is not an amount), no silently dropped
// fields (unknown fields are a 400). Path and query parameters arrive as text and are coerced, but
// an integer parameter must be written in digits only ("1.0", "1e2", "0x10", " 5" are refused).
// The raw JSON decides for bodies too (src/json-text.ts): a number written with a fraction or an
// exponent, or a key twice in one object, is refused before it is parsed; a charset other than
// UTF-8 is 415.
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ValidationError } from '../errors.js';
import { jsonTextProblem } from '../json-text.js';
import { makeAjv } from '../validate.js';

const DIGITS = /^[0-9]{1,16}$/;

export function installValidators(app: FastifyInstance): void {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return strict.compile(schema as object);
    const validate = coercing.compile(schema as object);
    const properties = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
    const integers = Object.keys(properties).filter((k) => properties[k]!.type === 'integer');
    if (integers.length === 0) return validate;
    const check = (data: Record<string, unknown> | undefined): boolean => {
      for (const k of integers) {
        const v = data?.[k];
        if (typeof v === 'string' && !DIGITS.test(v)) {
          check.errors = [
            { instancePath: `/${k}`, keyword: 'type', message: 'must be an integer written in digits only', params: {}, schemaPath: '' },
          ];
          return false;
        }
      }
      const ok = validate(data) as boolean;
      check.errors = (validate.errors ?? null) as FastifySchemaValidationError[] | null;
      return ok;
    };
    check.errors = null as FastifySchemaValidationError[] | null;
    return check;
  });

  // JSON bodies: the token decides, then Fastify's own parser (with its prototype-poisoning guard).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The body is read as UTF-8: a client that says it sent another charset is refused, not misread.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(String(request.headers['content-type'] ?? ''))?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      return done(Object.assign(new Error(`the charset ${charset} is not supported: send UTF-8`), { statusCode: 415 }), undefined);
    }
    // An empty body is no body (as `curl -X POST -H 'content-type: application/json'` sends it): a route
    // whose body is optional (a hold's post or void, an account's freeze) then reads it as `{}`; any
    // other route refuses it as a missing body.
    if ((body as string).trim() === '') return done(null, undefined);
    const bad = jsonTextProblem(body as string);
    if (bad !== undefined) return done(new ValidationError(bad.field, bad.message), undefined);
    parseJson(request, body as string, done);
  });
}
