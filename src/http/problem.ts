// Every 4xx/5xx is RFC 9457 problem+json with the contract's stable `code`, built here and only here.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode, UnavailableError } from '../errors.js';
import { type Metrics, noMetrics } from '../platform/metrics.js';
import { Problem } from '../schemas.js';
import { type AjvError, validationFields } from '../validate.js';

/** The title of each status's problem+json answer (also the OpenAPI examples', src/http/openapi.ts). */
export const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export type ProblemBody = Problem;

export function problem(status: number, code: ErrorCode, detail: string, errors?: ProblemBody['errors']): ProblemBody {
  return {
    type: `urn:simple-bank:problem:${code}`,
    title: PROBLEM_TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors?.length ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** The error responses a route declares, so Fastify serialises them and OpenAPI lists them. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof Problem } } }> = {};
  // Any route can meet these: a request target over 8 KiB, headers over 16 KiB, a fault, the database gone.
  for (const s of [...statuses, 414, 431, 500, 503]) {
    out[s] = {
      description: PROBLEM_TITLES[s] ?? 'Error',
      content: { 'application/problem+json': { schema: Problem } },
    };
  }
  return out;
}

/** The log line of a 503, by its cause (UnavailableError's reason). */
const UNAVAILABLE_LINE: Record<string, string> = {
  database: 'database unavailable',
  contention: 'contention outlived its retries',
  hashing: 'password hashing at capacity',
  read_only: 'the database is read-only (a standby answered)',
  schema: 'the database has no simple bank schema, or one behind',
  timeout: 'the database did not answer in time',
};

export function installErrorHandlers(app: FastifyInstance, metrics: Metrics = noMetrics): void {
  app.setErrorHandler((rawErr: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (rawErr.validation) {
      const errors = validationFields(rawErr.validation as AjvError[], rawErr.validationContext);
      const summary = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return sendProblem(reply, problem(400, 'validation_failed', summary || 'the request is invalid', errors));
    }
    // Operations throw domain errors (src/operations.ts translated Postgres's); anything else here is
    // Fastify's own or a fault.
    const err: unknown = rawErr;
    if (err instanceof DomainError) {
      if (err.status === 503) {
        // Expected while it lasts (the database down, hashing at capacity): one line naming the cause, no stack.
        const cause = err instanceof UnavailableError ? err.reason : 'other';
        request.log.warn({ cause, detail: err.message }, UNAVAILABLE_LINE[cause] ?? 'unavailable');
        metrics.unavailable(cause);
      }
      if (err.retryAfterS) reply.header('retry-after', String(err.retryAfterS));
      return sendProblem(reply, problem(err.status, err.code, err.message, err.fields));
    }
    const status = rawErr.statusCode ?? 500;
    if (status === 413) return sendProblem(reply, problem(413, 'payload_too_large', 'the body is larger than this server accepts'));
    if (status === 415) {
      return sendProblem(reply, problem(415, 'unsupported_media_type', 'the body must be application/json, in UTF-8'));
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: unparsable JSON, … — described in our words, never echoing the request.
      const detail =
        rawErr.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || rawErr instanceof SyntaxError
          ? 'the body is not valid JSON'
          : 'the request is not valid';
      return sendProblem(reply, problem(status, 'validation_failed', detail, [{ field: 'body', message: detail }]));
    }
    request.log.error({ err: rawErr }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal', 'an internal error occurred; it has been logged'));
  });

  // Nothing of the request is echoed back.
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, problem(404, 'not_found', 'there is no such route for this method')));
}

/** What Fastify answers before any route runs (a path parameter too long, a malformed URL). */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(reply, problem(414, 'uri_too_long', 'a path parameter is longer than 100 characters'));
  }
  return sendProblem(reply, problem(400, 'validation_failed', 'the URL is not valid', [{ field: 'url', message: 'is not valid' }]));
}
