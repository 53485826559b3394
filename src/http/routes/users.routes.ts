import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { LoginBody, LoginResponse, RefreshTokenBody, RenewResponse } from '../../auth/auth.schemas.js';
import type { Operations } from '../../operations.js';
import { CreateUserBody, UpdateUserBody, User, UsernameParams, VerifyEmailQuery, VerifyEmailResponse } from '../../users/users.schemas.js';
import { authOf, originOf } from '../auth.plugin.js';
import { errorResponses } from '../problem.js';

const usersRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  app.post(
    '/users',
    {
      schema: {
        operationId: 'createUser',
        security: [],
        tags: ['users'],
        summary: 'Sign up a new user (role depositor)',
        description:
          'Limited per client IP (429 with Retry-After); while password hashing is saturated, 503 `unavailable` with Retry-After.',
        body: CreateUserBody,
        response: { 201: User, ...errorResponses(400, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      return reply.code(201).send(await ops.users.signUp(originOf(request), request.body));
    },
  );

  app.get(
    '/verify_email',
    {
      schema: {
        operationId: 'verifyEmail',
        security: [],
        tags: ['users'],
        summary: 'The link of a verification email: the user’s email becomes verified',
        description:
          'A sign-up and a change of email send a verification email (when the service has SMTP_URL) holding this link. A right code within 15 minutes, once, for the email the user still has: 200, and User.is_email_verified becomes true. Otherwise 422 `verification_invalid`. Limited per client IP (429).',
        querystring: VerifyEmailQuery,
        response: { 200: VerifyEmailResponse, ...errorResponses(400, 422, 429) },
      },
    },
    async (request) => ops.users.verifyEmail(originOf(request), request.query),
  );

  app.post(
    '/users/login',
    {
      schema: {
        operationId: 'loginUser',
        security: [],
        tags: ['users'],
        summary: 'Log in: a new session with an access and a refresh token',
        description:
          'Unknown user and wrong password answer the same 401. Attempts are limited per client IP and per username (429 with Retry-After).',
        body: LoginBody,
        response: { 200: LoginResponse, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => ops.auth.login(originOf(request), request.body),
  );

  app.post(
    '/tokens/renew_access',
    {
      schema: {
        operationId: 'renewAccessToken',
        security: [],
        tags: ['users'],
        summary: 'A new access token for a live session; the refresh token rotates',
        description:
          'The presented refresh token is spent and a new one returned (same session expiry). Presented again within 10 s while its successor is unused (a lost answer, or renewals racing), it answers that same pair again; later, or once the successor was spent, it is reuse of a stolen token: 401 `session_invalid` and the whole session is blocked.',
        body: RefreshTokenBody,
        response: { 200: RenewResponse, ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request) => ops.auth.renewAccess(originOf(request), request.body),
  );

  app.post(
    '/tokens/revoke',
    {
      schema: {
        operationId: 'revokeSession',
        security: [],
        description:
          'Blocks the session of the refresh token: every access and refresh token it issued stops working on every replica at once (at most 2 s).',
        tags: ['users'],
        summary: 'Revoke (block) the session of a refresh token; its access tokens stop working',
        body: RefreshTokenBody,
        response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      await ops.auth.revokeSession(originOf(request), request.body);
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/users/:username',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'updateUser',
        tags: ['users'],
        summary: 'Change full name, email or password (yourself, or anyone as a banker)',
        description:
          'Changing your own password needs `current_password` (absent: 400; wrong: 403 `current_password_mismatch`). ' +
          "A password change blocks every other session of the user (a banker's reset blocks them all): their access tokens stop within 2 s, their refresh tokens at once.",
        security: [{ bearerAuth: [] }],
        params: UsernameParams,
        body: UpdateUserBody,
        response: { 200: User, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      ops.users.updateUser(authOf(request), { username: request.params.username, changes: request.body }, originOf(request)),
  );
};

export default usersRoutes;
