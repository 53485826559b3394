import Type, { type Static } from 'typebox';
import { EventType } from '../events/events.schemas.js';
import { NO_NUL } from '../schemas.js';

const EventTypes = Type.Union([Type.Array(EventType, { minItems: 1, maxItems: 9, uniqueItems: true }), Type.Null()], {
  description: 'the types it receives; null: every type',
});

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: NO_NUL,
      description: 'https to a public address (http, or a private address, only for a host in WEBHOOK_ALLOWED_HOSTS)',
    }),
    event_types: Type.Optional(EventTypes),
  },
  { additionalProperties: false, title: 'CreateWebhookEndpointRequest' },
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBody>;

const EndpointId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const WebhookEndpoint = Type.Object(
  {
    id: EndpointId,
    url: Type.String(),
    event_types: EventTypes,
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'WebhookEndpoint' },
);
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const CreatedWebhookEndpoint = Type.Object(
  {
    id: EndpointId,
    url: Type.String(),
    event_types: EventTypes,
    secret: Type.String({
      pattern: '^whsec_[A-Za-z0-9+/=]+$',
      description: 'Standard Webhooks signing secret: shown only now, keep it to verify deliveries',
    }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'CreatedWebhookEndpoint' },
);
export type CreatedWebhookEndpoint = Static<typeof CreatedWebhookEndpoint>;

export const WebhookEndpointParams = Type.Object({ id: EndpointId }, { additionalProperties: false });
export type WebhookEndpointParams = Static<typeof WebhookEndpointParams>;

export const ListDeliveriesQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
  { additionalProperties: false },
);
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;

export const WebhookDelivery = Type.Object(
  {
    event_id: Type.String({ description: "the event's id, as sent in webhook-id" }),
    attempt: Type.Integer({ minimum: 1 }),
    outcome: Type.Enum(['delivered', 'retrying', 'failed'] as const, {
      description: 'delivered (a 2xx within 10 s); retrying (another attempt is scheduled); failed (given up: the delays are used up)',
    }),
    status_code: Type.Union([Type.Integer(), Type.Null()], { description: "the receiver's status; null when none came" }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'why it failed, when not by a status' }),
    duration_ms: Type.Integer({ minimum: 0 }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, title: 'WebhookDelivery' },
);

export const WebhookDeliveryPage = Type.Object(
  { items: Type.Array(WebhookDelivery, { description: 'newest first' }) },
  { additionalProperties: false, title: 'WebhookDeliveryPage' },
);
export type WebhookDeliveryPage = Static<typeof WebhookDeliveryPage>;
