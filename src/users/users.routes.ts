import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { assertSelfOrBanker } from '../auth/authorize.js';
import { login, renewAccess, revoke } from '../auth/sessions.service.js';
import type { AppDeps } from '../deps.js';
import { authOf } from '../http/auth.plugin.js';
import { errorResponses } from '../http/problem.js';
import {
  CreateUserBody,
  LoginBody,
  LoginResponse,
  RefreshTokenBody,
  RenewResponse,
  UpdateUserBody,
  User,
  UsernameParams,
} from '../schemas/users.js';
import { createUser, updateUser } from './users.service.js';

const usersRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const sessionDeps = { db: deps.pool, tokens: deps.tokens, passwords: deps.passwords };

  app.post('/users', {
    schema: {
      operationId: 'createUser', security: [],
      tags: ['users'],
      summary: 'Sign up a new user (role depositor)',
      description: 'Limited per client IP (429 with Retry-After); while password hashing is saturated, 503 `unavailable` with Retry-After.',
      body: CreateUserBody,
      response: { 201: User, ...errorResponses(400, 409, 413, 415, 429) },
    },
  }, async (request, reply) => {
    await deps.limiter.hit(deps.signupLimits.windowMs, { key: `signup-ip:${request.ip}`, max: deps.signupLimits.perIp });
    const user = await createUser(deps.pool, deps.passwords, request.body);
    return reply.code(201).send(user);
  });

  app.post('/users/login', {
    schema: {
      operationId: 'loginUser', security: [],
      tags: ['users'],
      summary: 'Log in: a new session with an access and a refresh token',
      description: 'Unknown user and wrong password answer the same 401. Attempts are limited per client IP and per username (429 with Retry-After).',
      body: LoginBody,
      response: { 200: LoginResponse, ...errorResponses(400, 401, 413, 415, 429) },
    },
  }, async (request) => {
    await deps.limiter.hit(
      deps.loginLimits.windowMs,
      { key: `login-ip:${request.ip}`, max: deps.loginLimits.perIp },
      { key: `login-user:${request.body.username.toLowerCase()}`, max: deps.loginLimits.perUsername },
    );
    return login(sessionDeps, {
      username: request.body.username,
      password: request.body.password,
      userAgent: request.headers['user-agent'] ?? '',
      clientIp: request.ip,
    });
  });

  app.post('/tokens/renew_access', {
    schema: {
      operationId: 'renewAccessToken', security: [],
      tags: ['users'],
      summary: 'A new access token for a live session; the refresh token rotates',
      description: 'The presented refresh token is spent and a new one returned (same session expiry). Presented again within 10 s (a lost answer) it renews again; later, it is reuse of a stolen token: 401 `session_invalid` and the whole session is blocked.',
      body: RefreshTokenBody,
      response: { 200: RenewResponse, ...errorResponses(400, 401, 413, 415) },
    },
  }, async (request) => renewAccess(sessionDeps, request.body.refresh_token));

  app.post('/tokens/revoke', {
    schema: {
      operationId: 'revokeSession', security: [], description: 'Blocks the session of the refresh token: every access and refresh token it issued stops working on every replica at once (at most 2 s).',
      tags: ['users'],
      summary: 'Revoke (block) the session of a refresh token; its access tokens stop working',
      body: RefreshTokenBody,
      response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, 401, 413, 415) },
    },
  }, async (request, reply) => {
    const sessionId = await revoke(sessionDeps, request.body.refresh_token);
    deps.sessions.forget(sessionId);
    return reply.code(204).send(null);
  });

  app.patch('/users/:username', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'updateUser',
      tags: ['users'],
      summary: 'Change full name, email or password (yourself, or anyone as a banker)',
      description: 'Changing your own password needs `current_password` (absent: 400; wrong: 403 `current_password_mismatch`). ' +
        'A password change blocks every other session of the user (a banker\'s reset blocks them all): their access tokens stop within 2 s, their refresh tokens at once.',
      security: [{ bearerAuth: [] }],
      params: UsernameParams,
      body: UpdateUserBody,
      response: { 200: User, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (request) => {
    const auth = authOf(request);
    assertSelfOrBanker(auth, request.params.username);
    const user = await updateUser(deps.pool, deps.passwords, auth, request.params.username, request.body);
    if (request.body.password !== undefined) deps.sessions.forgetUser(request.params.username);
    return user;
  });
};

export default usersRoutes;
