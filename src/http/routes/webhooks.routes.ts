import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Operations } from '../../operations.js';
import {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointBody,
  ListDeliveriesQuery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointParams,
} from '../../webhooks/webhooks.schemas.js';
import { authOf } from '../auth.plugin.js';
import { errorResponses } from '../problem.js';

const webhooksRoutes: FastifyPluginAsyncTypebox<{ ops: Operations }> = async (app, { ops }) => {
  const security = [{ bearerAuth: [] }];
  const tags = ['events'];

  app.post(
    '/webhook_endpoints',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'createWebhookEndpoint',
        tags,
        summary: 'Register a webhook endpoint: it receives the events you may see (the secret is shown only now)',
        description:
          "Standard Webhooks: each delivery is a POST of the Event JSON with `webhook-id` (the event id, the same on every retry), `webhook-timestamp` and `webhook-signature` (verify with the secret: npm `standardwebhooks`, or the client's `verifyWebhook`). A 2xx within 10 s is delivered; anything else is retried after WEBHOOK_RETRY_DELAYS. At least once; order is not promised (`sequence` orders and dedupes). The URL must be https to a public address unless its host is in WEBHOOK_ALLOWED_HOSTS (checked now, and on the resolved address at every delivery). At most 10 per user (400 naming `url`).",
        security,
        body: CreateWebhookEndpointBody,
        response: { 201: CreatedWebhookEndpoint, ...errorResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await ops.webhooks.createWebhookEndpoint(authOf(request), request.body)),
  );

  app.get(
    '/webhook_endpoints',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listWebhookEndpoints',
        tags,
        summary: 'Your webhook endpoints (without their secrets)',
        security,
        response: { 200: Type.Array(WebhookEndpoint), ...errorResponses(401) },
      },
    },
    async (request) => ops.webhooks.listWebhookEndpoints(authOf(request)),
  );

  app.delete(
    '/webhook_endpoints/:id',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags,
        summary: 'Delete one of your webhook endpoints: nothing more is sent to it',
        description: "Another user's endpoint is 404, as one that does not exist.",
        security,
        params: WebhookEndpointParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await ops.webhooks.deleteWebhookEndpoint(authOf(request), request.params);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhook_endpoints/:id/deliveries',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The delivery attempts of one of your endpoints, newest first',
        description:
          'Each attempt: the event id, the status code or the error, its duration, and its outcome (delivered, retrying, failed: given up).',
        security,
        params: WebhookEndpointParams,
        querystring: ListDeliveriesQuery,
        response: { 200: WebhookDeliveryPage, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => ops.webhooks.listWebhookDeliveries(authOf(request), { ...request.params, ...request.query }),
  );
};

export default webhooksRoutes;
