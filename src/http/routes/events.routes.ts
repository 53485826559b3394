import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventPage, ListEventsQuery } from '../../events/events.schemas.js';
import type { Operations } from '../../operations.js';
import { authOf } from '../auth.plugin.js';
import { errorResponses } from '../problem.js';

const eventsRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  app.get(
    '/events',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'Your events after a sequence, ascending; optionally wait for the first (long-poll)',
        description:
          'Every change of money or account state appends an event in the same transaction as the change. A depositor sees the events of their own accounts (a transfer by both sides) and of their own user; a banker sees every event. Page with `after=next_after`: an event never appears at or below a sequence already returned, so a reader that pages this way misses none. With `wait` (seconds, at most 30) and nothing yet, the answer comes when the first event you may see commits, or empty after `wait` (503 `unavailable` when too many wait at once: retry after Retry-After).',
        security: [{ bearerAuth: [] }],
        querystring: ListEventsQuery,
        response: { 200: EventPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      // A long-poll ends when its client goes away.
      const gone = new AbortController();
      const onClose = () => gone.abort();
      request.raw.socket?.once('close', onClose);
      try {
        return await ops.events.listEvents(authOf(request), request.query, gone.signal);
      } finally {
        request.raw.socket?.off('close', onClose);
      }
    },
  );
};

export default eventsRoutes;
