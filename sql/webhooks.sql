/* Webhooks (API v1.3): endpoints per user, their deliveries. The jobs: src/platform/jobs.ts. */

/* Serializes one owner's registrations (the count of 10 is then exact), for the transaction. */
/* @name LockOwnerEndpoints */
SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints' || chr(10) || :owner!, 0)) AS "locked";

/* @name CountOwnerEndpoints */
SELECT count(*)::int AS "n!" FROM webhook_endpoints WHERE owner = :owner!;

/* It receives the events numbered after this. */
/* @name CreateWebhookEndpoint */
INSERT INTO webhook_endpoints (owner, url, event_types, secret, after_sequence)
VALUES (:owner!, :url!, :eventTypes, :secret!, (SELECT last FROM event_counter))
RETURNING id, url, event_types, secret, api_timestamp(created_at) AS "created_at!";

/* @name ListOwnerEndpoints */
SELECT id, url, event_types, api_timestamp(created_at) AS "created_at!"
FROM webhook_endpoints WHERE owner = :owner! ORDER BY id;

/* @name GetWebhookEndpoint */
SELECT id, owner, url, event_types, api_timestamp(created_at) AS "created_at!"
FROM webhook_endpoints WHERE id = :id!;

/* @name DeleteWebhookEndpoint */
DELETE FROM webhook_endpoints WHERE id = :id! AND owner = :owner! RETURNING id;

/* The newest attempts first. */
/* @name ListWebhookDeliveries */
SELECT 'evt_' || d.event_sequence AS "event_id!", d.attempt, d.outcome, d.status_code, d.error, d.duration_ms,
       api_timestamp(d.created_at) AS "created_at!"
FROM webhook_deliveries d WHERE d.endpoint_id = :endpointId! ORDER BY d.id DESC LIMIT :limit!;

/* What one delivery sends: the endpoint (gone: nothing) and the event (past its retention: nothing). */
/* @name GetDelivery */
SELECT w.url, w.secret, e.sequence AS "sequence!", e.type AS "type!", api_timestamp(e.created_at) AS "created_at!",
       e.data AS "data!"
FROM webhook_endpoints w JOIN event_feed e ON e.sequence = :sequence!
WHERE w.id = :endpointId!;

/* @name RecordWebhookDelivery */
INSERT INTO webhook_deliveries (endpoint_id, event_sequence, attempt, outcome, status_code, error, duration_ms)
SELECT :endpointId!, :sequence!, :attempt!, :outcome!, :statusCode, :error, :durationMs!
WHERE EXISTS (SELECT FROM webhook_endpoints w WHERE w.id = :endpointId!);

/* @name FanOutWebhooks */
SELECT events AS "events!", jobs AS "jobs!" FROM fan_out_webhooks(:limit!);

/* @name AnyWebhookEndpoint */
SELECT EXISTS (SELECT FROM webhook_endpoints) AS "any!";

/* Retention: a batch of attempts older than :before. */
/* @name DeleteOldDeliveries */
DELETE FROM webhook_deliveries
WHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE d.created_at < :before! ORDER BY d.created_at LIMIT :limit!);
