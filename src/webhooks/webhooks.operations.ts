// Webhook endpoints (API v1.3): at most 10 per user, each receiving the events its owner may see.
// The secret is shown once, at registration. Deliveries are jobs (src/platform/jobs.ts).

import {
  countOwnerEndpoints,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listOwnerEndpoints,
  listWebhookDeliveries,
  lockOwnerEndpoints,
} from '../../generated/webhooks.queries.js';
import type { Caller } from '../caller.js';
import type { AppDeps } from '../context.js';
import { withTransaction } from '../db/transaction.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { checkUrl, resolveDeliveryAddress, WebhookAddressError } from './addresses.js';
import { newSecret } from './delivery.js';
import type {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointBody,
  ListDeliveriesQuery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointParams,
} from './webhooks.schemas.js';

export const MAX_ENDPOINTS_PER_USER = 10;

type EventTypes = WebhookEndpoint['event_types'];

export function webhookOperations(deps: Pick<AppDeps, 'pool' | 'webhooks'>) {
  const { allowedHosts } = deps.webhooks;

  /** The caller's own endpoint; another's is as absent as one that never was. */
  async function ownEndpoint(caller: Caller, id: number) {
    const [row] = await getWebhookEndpoint.run({ id }, deps.pool);
    if (!row || row.owner !== caller.username) throw new NotFoundError(`webhook endpoint ${id} not found`);
    return row;
  }

  return {
    async createWebhookEndpoint(caller: Caller, input: CreateWebhookEndpointBody): Promise<CreatedWebhookEndpoint> {
      let url: URL;
      try {
        url = checkUrl(input.url, allowedHosts);
        // Its addresses now (each delivery checks again the one it connects to).
        await resolveDeliveryAddress(url, allowedHosts);
      } catch (err) {
        if (err instanceof WebhookAddressError) throw new ValidationError('url', err.message);
        throw err;
      }
      const row = await withTransaction(deps.pool, async (tx) => {
        await lockOwnerEndpoints.run({ owner: caller.username }, tx);
        const [count] = await countOwnerEndpoints.run({ owner: caller.username }, tx);
        if ((count?.n ?? 0) >= MAX_ENDPOINTS_PER_USER) {
          throw new ValidationError('url', `at most ${MAX_ENDPOINTS_PER_USER} webhook endpoints per user: delete one first`);
        }
        const [created] = await createWebhookEndpoint.run(
          { owner: caller.username, url: url.href, eventTypes: input.event_types ?? null, secret: newSecret() },
          tx,
        );
        return created!;
      });
      deps.webhooks.endpointsExist = true;
      return {
        id: Number(row.id),
        url: row.url,
        event_types: (row.event_types as EventTypes) ?? null,
        secret: row.secret,
        created_at: row.created_at,
      };
    },

    async listWebhookEndpoints(caller: Caller): Promise<WebhookEndpoint[]> {
      const rows = await listOwnerEndpoints.run({ owner: caller.username }, deps.pool);
      return rows.map((r) => ({
        id: Number(r.id),
        url: r.url,
        event_types: (r.event_types as EventTypes) ?? null,
        created_at: r.created_at,
      }));
    },

    async deleteWebhookEndpoint(caller: Caller, input: WebhookEndpointParams): Promise<void> {
      const gone = await deleteWebhookEndpoint.run({ id: input.id, owner: caller.username }, deps.pool);
      if (gone.length === 0) throw new NotFoundError(`webhook endpoint ${input.id} not found`);
    },

    async listWebhookDeliveries(caller: Caller, input: WebhookEndpointParams & ListDeliveriesQuery): Promise<WebhookDeliveryPage> {
      await ownEndpoint(caller, input.id);
      const rows = await listWebhookDeliveries.run({ endpointId: input.id, limit: input.limit }, deps.pool);
      return {
        items: rows.map((r) => ({
          event_id: r.event_id,
          attempt: r.attempt,
          outcome: r.outcome as 'delivered' | 'retrying' | 'failed',
          status_code: r.status_code,
          error: r.error,
          duration_ms: r.duration_ms,
          created_at: r.created_at,
        })),
      };
    },
  };
}
