// Bodies are validated strictly: no type coercion ("100" is not an amount), no silently dropped
// fields (unknown fields are a 400). Path and query parameters arrive as text and are coerced, but
// an integer parameter must be written in digits only ("1.0", "1e2", "0x10", " 5" are refused).
// The raw JSON decides for bodies too: a number written with a fraction or an exponent is refused
// before it is parsed into a double (every number of this API is an integer).
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ValidationError } from '../errors.js';
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
    const bad = nonIntegerNumber(body as string);
    if (bad !== undefined)
      return done(new ValidationError(bad, 'must be an integer, written without a fraction or an exponent'), undefined);
    parseJson(request, body as string, done);
  });
}

/**
 * The field (the last object key before it, or `body`) of the first number token written with a
 * fraction or an exponent, outside strings; undefined when there is none. Not a validator: whatever
 * else is wrong with the text is left to JSON.parse.
 */
export function nonIntegerNumber(text: string): string | undefined {
  let key: string | undefined;
  let lastString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
    } else if (c === 0x3a /* : */) {
      key = lastString;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      while (j < text.length && /[0-9eE.+-]/.test(text[j]!)) j++;
      if (/[.eE]/.test(text.slice(i, j))) return key ?? 'body';
      i = j - 1;
    }
  }
  return undefined;
}
