import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { assertOwner } from '../auth/authorize.js';
import type { AppDeps } from '../deps.js';
import { authOf } from '../http/auth.plugin.js';
import { errorResponses } from '../http/problem.js';
import { CreateAccountBody, EntryPage, ListAccountsQuery, ListEntriesQuery } from '../schemas/accounts.js';
import { IdParams } from '../schemas/common.js';
import { Account } from '../schemas/ledger.js';
import { createAccount, findAccount, listAccountEntries, listAccounts } from './accounts.service.js';

const accountsRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const security = [{ bearerAuth: [] }];

  app.post('/accounts', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'createAccount', description: 'The owner is the token\'s user, never the body; the balance starts at 0; one account per currency and owner.',
      tags: ['accounts'],
      summary: 'Open an account in a currency for the caller (balance 0)',
      security,
      body: CreateAccountBody,
      response: { 201: Account, ...errorResponses(400, 401, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const account = await createAccount(deps.pool, authOf(request).username, request.body.currency);
    return reply.code(201).send(account);
  });

  app.get('/accounts/:id', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'getAccount', description: 'Only the owner sees an account.',
      tags: ['accounts'],
      summary: 'One of your accounts',
      security,
      params: IdParams,
      response: { 200: Account, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const account = await findAccount(deps.pool, request.params.id);
    assertOwner(authOf(request), account.owner, 'this account');
    return account;
  });

  app.get('/accounts', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'listAccounts', description: 'The caller\'s own accounts, by id; `page_id` from 1 (default 1), `page_size` 1–100 (default 10).',
      tags: ['accounts'],
      summary: 'Your accounts, by id, a page at a time',
      security,
      querystring: ListAccountsQuery,
      response: { 200: Type.Array(Account), ...errorResponses(400, 401) },
    },
  }, async (request) =>
    listAccounts(deps.pool, authOf(request).username, request.query.page_id, request.query.page_size),
  );

  app.get('/accounts/:id/entries', {
    onRequest: app.authenticate,
    schema: {
      operationId: 'listAccountEntries',
      tags: ['accounts'],
      summary: 'Statement: the entries of one of your accounts, newest first',
      description: 'Keyset-paged: pass `next_cursor` back as `cursor` for the next page; it is null on the last page.',
      security,
      params: IdParams,
      querystring: ListEntriesQuery,
      response: { 200: EntryPage, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request) => {
    const account = await findAccount(deps.pool, request.params.id);
    assertOwner(authOf(request), account.owner, 'this account');
    return listAccountEntries(deps.pool, account.id, request.query.limit, request.query.cursor);
  });
};

export default accountsRoutes;
