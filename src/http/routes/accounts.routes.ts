import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Account, CreateAccountBody, EntryPage, ListAccountsQuery, ListEntriesQuery } from '../../accounts/accounts.schemas.js';
import type { Operations } from '../../operations.js';
import { AccountIdParams } from '../../schemas.js';
import { authOf } from '../auth.plugin.js';
import { errorResponses } from '../problem.js';

const accountsRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  const security = [{ bearerAuth: [] }];

  app.post(
    '/accounts',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'createAccount',
        description: "The owner is the token's user, never the body; the balance starts at 0; one account per currency and owner.",
        tags: ['accounts'],
        summary: 'Open an account in a currency for the caller (balance 0)',
        security,
        body: CreateAccountBody,
        response: { 201: Account, ...errorResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      return reply.code(201).send(await ops.accounts.createAccount(authOf(request), request.body));
    },
  );

  app.get(
    '/accounts/:id',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'getAccount',
        description: 'Only the owner sees an account.',
        tags: ['accounts'],
        summary: 'One of your accounts',
        security,
        params: AccountIdParams,
        response: { 200: Account, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ops.accounts.getAccount(authOf(request), request.params),
  );

  app.get(
    '/accounts',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listAccounts',
        description: "The caller's own accounts, by id; `page_id` from 1 (default 1), `page_size` 1–100 (default 10).",
        tags: ['accounts'],
        summary: 'Your accounts, by id, a page at a time',
        security,
        querystring: ListAccountsQuery,
        response: { 200: Type.Array(Account), ...errorResponses(400, 401) },
      },
    },
    async (request) => ops.accounts.listAccounts(authOf(request), request.query),
  );

  app.get(
    '/accounts/:id/entries',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listAccountEntries',
        tags: ['accounts'],
        summary: 'Statement: the entries of one of your accounts, newest first',
        description: 'Keyset-paged: pass `next_cursor` back as `cursor` for the next page; it is null on the last page.',
        security,
        params: AccountIdParams,
        querystring: ListEntriesQuery,
        response: { 200: EntryPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ops.accounts.listAccountEntries(authOf(request), { ...request.params, ...request.query }),
  );
};

export default accountsRoutes;
