/** Types generated for queries found in "sql/webhooks.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NumberOrString = number | string;

export type stringArray = (string)[];

/** 'LockOwnerEndpoints' parameters type */
export interface ILockOwnerEndpointsParams {
  owner: string;
}

/** 'LockOwnerEndpoints' return type */
export interface ILockOwnerEndpointsResult {
  locked: undefined | null;
}

/** 'LockOwnerEndpoints' query type */
export interface ILockOwnerEndpointsQuery {
  params: ILockOwnerEndpointsParams;
  result: ILockOwnerEndpointsResult;
}

const lockOwnerEndpointsIR: any = {"usedParamSet":{"owner":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":80,"b":86}]}],"statement":"SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints' || chr(10) || :owner!, 0)) AS \"locked\""};

/**
 * Query generated from SQL:
 * ```
 * SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints' || chr(10) || :owner!, 0)) AS "locked"
 * ```
 */
export const lockOwnerEndpoints = new PreparedQuery<ILockOwnerEndpointsParams,ILockOwnerEndpointsResult>(lockOwnerEndpointsIR);


/** 'CountOwnerEndpoints' parameters type */
export interface ICountOwnerEndpointsParams {
  owner: string;
}

/** 'CountOwnerEndpoints' return type */
export interface ICountOwnerEndpointsResult {
  n: number;
}

/** 'CountOwnerEndpoints' query type */
export interface ICountOwnerEndpointsQuery {
  params: ICountOwnerEndpointsParams;
  result: ICountOwnerEndpointsResult;
}

const countOwnerEndpointsIR: any = {"usedParamSet":{"owner":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":66,"b":72}]}],"statement":"SELECT count(*)::int AS \"n!\" FROM webhook_endpoints WHERE owner = :owner!                                                 "};

/**
 * Query generated from SQL:
 * ```
 * SELECT count(*)::int AS "n!" FROM webhook_endpoints WHERE owner = :owner!                                                 
 * ```
 */
export const countOwnerEndpoints = new PreparedQuery<ICountOwnerEndpointsParams,ICountOwnerEndpointsResult>(countOwnerEndpointsIR);


/** 'CreateWebhookEndpoint' parameters type */
export interface ICreateWebhookEndpointParams {
  eventTypes?: stringArray | null | void;
  owner: string;
  secret: string;
  url: string;
}

/** 'CreateWebhookEndpoint' return type */
export interface ICreateWebhookEndpointResult {
  created_at: string;
  event_types: stringArray | null;
  id: string;
  secret: string;
  url: string;
}

/** 'CreateWebhookEndpoint' query type */
export interface ICreateWebhookEndpointQuery {
  params: ICreateWebhookEndpointParams;
  result: ICreateWebhookEndpointResult;
}

const createWebhookEndpointIR: any = {"usedParamSet":{"owner":true,"url":true,"eventTypes":true,"secret":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":88,"b":94}]},{"name":"url","required":true,"transform":{"type":"scalar"},"locs":[{"a":97,"b":101}]},{"name":"eventTypes","required":false,"transform":{"type":"scalar"},"locs":[{"a":104,"b":114}]},{"name":"secret","required":true,"transform":{"type":"scalar"},"locs":[{"a":117,"b":124}]}],"statement":"INSERT INTO webhook_endpoints (owner, url, event_types, secret, after_sequence)\nVALUES (:owner!, :url!, :eventTypes, :secret!, (SELECT last FROM event_counter))\nRETURNING id, url, event_types, secret, api_timestamp(created_at) AS \"created_at!\""};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO webhook_endpoints (owner, url, event_types, secret, after_sequence)
 * VALUES (:owner!, :url!, :eventTypes, :secret!, (SELECT last FROM event_counter))
 * RETURNING id, url, event_types, secret, api_timestamp(created_at) AS "created_at!"
 * ```
 */
export const createWebhookEndpoint = new PreparedQuery<ICreateWebhookEndpointParams,ICreateWebhookEndpointResult>(createWebhookEndpointIR);


/** 'ListOwnerEndpoints' parameters type */
export interface IListOwnerEndpointsParams {
  owner: string;
}

/** 'ListOwnerEndpoints' return type */
export interface IListOwnerEndpointsResult {
  created_at: string;
  event_types: stringArray | null;
  id: string;
  url: string;
}

/** 'ListOwnerEndpoints' query type */
export interface IListOwnerEndpointsQuery {
  params: IListOwnerEndpointsParams;
  result: IListOwnerEndpointsResult;
}

const listOwnerEndpointsIR: any = {"usedParamSet":{"owner":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":109,"b":115}]}],"statement":"SELECT id, url, event_types, api_timestamp(created_at) AS \"created_at!\"\nFROM webhook_endpoints WHERE owner = :owner! ORDER BY id"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, url, event_types, api_timestamp(created_at) AS "created_at!"
 * FROM webhook_endpoints WHERE owner = :owner! ORDER BY id
 * ```
 */
export const listOwnerEndpoints = new PreparedQuery<IListOwnerEndpointsParams,IListOwnerEndpointsResult>(listOwnerEndpointsIR);


/** 'GetWebhookEndpoint' parameters type */
export interface IGetWebhookEndpointParams {
  id: NumberOrString;
}

/** 'GetWebhookEndpoint' return type */
export interface IGetWebhookEndpointResult {
  created_at: string;
  event_types: stringArray | null;
  id: string;
  owner: string;
  url: string;
}

/** 'GetWebhookEndpoint' query type */
export interface IGetWebhookEndpointQuery {
  params: IGetWebhookEndpointParams;
  result: IGetWebhookEndpointResult;
}

const getWebhookEndpointIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":113,"b":116}]}],"statement":"SELECT id, owner, url, event_types, api_timestamp(created_at) AS \"created_at!\"\nFROM webhook_endpoints WHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, owner, url, event_types, api_timestamp(created_at) AS "created_at!"
 * FROM webhook_endpoints WHERE id = :id!
 * ```
 */
export const getWebhookEndpoint = new PreparedQuery<IGetWebhookEndpointParams,IGetWebhookEndpointResult>(getWebhookEndpointIR);


/** 'DeleteWebhookEndpoint' parameters type */
export interface IDeleteWebhookEndpointParams {
  id: NumberOrString;
  owner: string;
}

/** 'DeleteWebhookEndpoint' return type */
export interface IDeleteWebhookEndpointResult {
  id: string;
}

/** 'DeleteWebhookEndpoint' query type */
export interface IDeleteWebhookEndpointQuery {
  params: IDeleteWebhookEndpointParams;
  result: IDeleteWebhookEndpointResult;
}

const deleteWebhookEndpointIR: any = {"usedParamSet":{"id":true,"owner":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":41,"b":44}]},{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":58,"b":64}]}],"statement":"DELETE FROM webhook_endpoints WHERE id = :id! AND owner = :owner! RETURNING id                                "};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM webhook_endpoints WHERE id = :id! AND owner = :owner! RETURNING id                                
 * ```
 */
export const deleteWebhookEndpoint = new PreparedQuery<IDeleteWebhookEndpointParams,IDeleteWebhookEndpointResult>(deleteWebhookEndpointIR);


/** 'ListWebhookDeliveries' parameters type */
export interface IListWebhookDeliveriesParams {
  endpointId: NumberOrString;
  limit: NumberOrString;
}

/** 'ListWebhookDeliveries' return type */
export interface IListWebhookDeliveriesResult {
  attempt: number;
  created_at: string;
  duration_ms: number;
  error: string | null;
  event_id: string;
  outcome: string;
  status_code: number | null;
}

/** 'ListWebhookDeliveries' query type */
export interface IListWebhookDeliveriesQuery {
  params: IListWebhookDeliveriesParams;
  result: IListWebhookDeliveriesResult;
}

const listWebhookDeliveriesIR: any = {"usedParamSet":{"endpointId":true,"limit":true},"params":[{"name":"endpointId","required":true,"transform":{"type":"scalar"},"locs":[{"a":211,"b":222}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":249,"b":255}]}],"statement":"SELECT 'evt_' || d.event_sequence AS \"event_id!\", d.attempt, d.outcome, d.status_code, d.error, d.duration_ms,\n       api_timestamp(d.created_at) AS \"created_at!\"\nFROM webhook_deliveries d WHERE d.endpoint_id = :endpointId! ORDER BY d.id DESC LIMIT :limit!                                                                                                        "};

/**
 * Query generated from SQL:
 * ```
 * SELECT 'evt_' || d.event_sequence AS "event_id!", d.attempt, d.outcome, d.status_code, d.error, d.duration_ms,
 *        api_timestamp(d.created_at) AS "created_at!"
 * FROM webhook_deliveries d WHERE d.endpoint_id = :endpointId! ORDER BY d.id DESC LIMIT :limit!                                                                                                        
 * ```
 */
export const listWebhookDeliveries = new PreparedQuery<IListWebhookDeliveriesParams,IListWebhookDeliveriesResult>(listWebhookDeliveriesIR);


/** 'GetDelivery' parameters type */
export interface IGetDeliveryParams {
  endpointId: NumberOrString;
  sequence: NumberOrString;
}

/** 'GetDelivery' return type */
export interface IGetDeliveryResult {
  created_at: string;
  data: Json;
  secret: string;
  sequence: string;
  type: string;
  url: string;
}

/** 'GetDelivery' query type */
export interface IGetDeliveryQuery {
  params: IGetDeliveryParams;
  result: IGetDeliveryResult;
}

const getDeliveryIR: any = {"usedParamSet":{"sequence":true,"endpointId":true},"params":[{"name":"sequence","required":true,"transform":{"type":"scalar"},"locs":[{"a":200,"b":209}]},{"name":"endpointId","required":true,"transform":{"type":"scalar"},"locs":[{"a":224,"b":235}]}],"statement":"SELECT w.url, w.secret, e.sequence AS \"sequence!\", e.type AS \"type!\", api_timestamp(e.created_at) AS \"created_at!\",\n       e.data AS \"data!\"\nFROM webhook_endpoints w JOIN event_feed e ON e.sequence = :sequence!\nWHERE w.id = :endpointId!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT w.url, w.secret, e.sequence AS "sequence!", e.type AS "type!", api_timestamp(e.created_at) AS "created_at!",
 *        e.data AS "data!"
 * FROM webhook_endpoints w JOIN event_feed e ON e.sequence = :sequence!
 * WHERE w.id = :endpointId!
 * ```
 */
export const getDelivery = new PreparedQuery<IGetDeliveryParams,IGetDeliveryResult>(getDeliveryIR);


/** 'RecordWebhookDelivery' parameters type */
export interface IRecordWebhookDeliveryParams {
  attempt: number;
  durationMs: number;
  endpointId: NumberOrString;
  error?: string | null | void;
  outcome: string;
  sequence: NumberOrString;
  statusCode?: number | null | void;
}

/** 'RecordWebhookDelivery' return type */
export type IRecordWebhookDeliveryResult = void;

/** 'RecordWebhookDelivery' query type */
export interface IRecordWebhookDeliveryQuery {
  params: IRecordWebhookDeliveryParams;
  result: IRecordWebhookDeliveryResult;
}

const recordWebhookDeliveryIR: any = {"usedParamSet":{"endpointId":true,"sequence":true,"attempt":true,"outcome":true,"statusCode":true,"error":true,"durationMs":true},"params":[{"name":"endpointId","required":true,"transform":{"type":"scalar"},"locs":[{"a":119,"b":130},{"a":260,"b":271}]},{"name":"sequence","required":true,"transform":{"type":"scalar"},"locs":[{"a":133,"b":142}]},{"name":"attempt","required":true,"transform":{"type":"scalar"},"locs":[{"a":145,"b":153}]},{"name":"outcome","required":true,"transform":{"type":"scalar"},"locs":[{"a":156,"b":164}]},{"name":"statusCode","required":false,"transform":{"type":"scalar"},"locs":[{"a":167,"b":177}]},{"name":"error","required":false,"transform":{"type":"scalar"},"locs":[{"a":180,"b":185}]},{"name":"durationMs","required":true,"transform":{"type":"scalar"},"locs":[{"a":188,"b":199}]}],"statement":"INSERT INTO webhook_deliveries (endpoint_id, event_sequence, attempt, outcome, status_code, error, duration_ms)\nSELECT :endpointId!, :sequence!, :attempt!, :outcome!, :statusCode, :error, :durationMs!\nWHERE EXISTS (SELECT FROM webhook_endpoints w WHERE w.id = :endpointId!)"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO webhook_deliveries (endpoint_id, event_sequence, attempt, outcome, status_code, error, duration_ms)
 * SELECT :endpointId!, :sequence!, :attempt!, :outcome!, :statusCode, :error, :durationMs!
 * WHERE EXISTS (SELECT FROM webhook_endpoints w WHERE w.id = :endpointId!)
 * ```
 */
export const recordWebhookDelivery = new PreparedQuery<IRecordWebhookDeliveryParams,IRecordWebhookDeliveryResult>(recordWebhookDeliveryIR);


/** 'FanOutWebhooks' parameters type */
export interface IFanOutWebhooksParams {
  limit: number;
}

/** 'FanOutWebhooks' return type */
export interface IFanOutWebhooksResult {
  events: number;
  jobs: number;
}

/** 'FanOutWebhooks' query type */
export interface IFanOutWebhooksQuery {
  params: IFanOutWebhooksParams;
  result: IFanOutWebhooksResult;
}

const fanOutWebhooksIR: any = {"usedParamSet":{"limit":true},"params":[{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":66,"b":72}]}],"statement":"SELECT events AS \"events!\", jobs AS \"jobs!\" FROM fan_out_webhooks(:limit!)"};

/**
 * Query generated from SQL:
 * ```
 * SELECT events AS "events!", jobs AS "jobs!" FROM fan_out_webhooks(:limit!)
 * ```
 */
export const fanOutWebhooks = new PreparedQuery<IFanOutWebhooksParams,IFanOutWebhooksResult>(fanOutWebhooksIR);


/** 'AnyWebhookEndpoint' parameters type */
export type IAnyWebhookEndpointParams = void;

/** 'AnyWebhookEndpoint' return type */
export interface IAnyWebhookEndpointResult {
  any: boolean;
}

/** 'AnyWebhookEndpoint' query type */
export interface IAnyWebhookEndpointQuery {
  params: IAnyWebhookEndpointParams;
  result: IAnyWebhookEndpointResult;
}

const anyWebhookEndpointIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT EXISTS (SELECT FROM webhook_endpoints) AS \"any!\"                                                        "};

/**
 * Query generated from SQL:
 * ```
 * SELECT EXISTS (SELECT FROM webhook_endpoints) AS "any!"                                                        
 * ```
 */
export const anyWebhookEndpoint = new PreparedQuery<IAnyWebhookEndpointParams,IAnyWebhookEndpointResult>(anyWebhookEndpointIR);


/** 'DeleteOldDeliveries' parameters type */
export interface IDeleteOldDeliveriesParams {
  before: DateOrString;
  limit: NumberOrString;
}

/** 'DeleteOldDeliveries' return type */
export type IDeleteOldDeliveriesResult = void;

/** 'DeleteOldDeliveries' query type */
export interface IDeleteOldDeliveriesQuery {
  params: IDeleteOldDeliveriesParams;
  result: IDeleteOldDeliveriesResult;
}

const deleteOldDeliveriesIR: any = {"usedParamSet":{"before":true,"limit":true},"params":[{"name":"before","required":true,"transform":{"type":"scalar"},"locs":[{"a":103,"b":110}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":140,"b":146}]}],"statement":"DELETE FROM webhook_deliveries\nWHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE d.created_at < :before! ORDER BY d.created_at LIMIT :limit!)"};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM webhook_deliveries
 * WHERE id IN (SELECT d.id FROM webhook_deliveries d WHERE d.created_at < :before! ORDER BY d.created_at LIMIT :limit!)
 * ```
 */
export const deleteOldDeliveries = new PreparedQuery<IDeleteOldDeliveriesParams,IDeleteOldDeliveriesResult>(deleteOldDeliveriesIR);


