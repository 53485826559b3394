// Bodies are validated strictly: no type coercion ("100" is not an amount), no silently dropped
// fields (unknown fields are a 400). Path and query parameters arrive as text and are coerced.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const options: Options = { allErrors: true, coerceTypes, removeAdditional: false, useDefaults: true, strict: false };
  const ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

export function installValidators(app: FastifyInstance): void {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
}
