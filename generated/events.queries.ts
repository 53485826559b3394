/** Types generated for queries found in "sql/events.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type NumberOrString = number | string;

/** 'SequenceEvents' parameters type */
export interface ISequenceEventsParams {
  limit: number;
}

/** 'SequenceEvents' return type */
export interface ISequenceEventsResult {
  last: string;
  moved: number;
  rows_taken: number;
}

/** 'SequenceEvents' query type */
export interface ISequenceEventsQuery {
  params: ISequenceEventsParams;
  result: ISequenceEventsResult;
}

const sequenceEventsIR: any = {"usedParamSet":{"limit":true},"params":[{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":92,"b":98}]}],"statement":"SELECT moved AS \"moved!\", last AS \"last!\", rows_taken AS \"rows_taken!\" FROM sequence_events(:limit!)                                          "};

/**
 * Query generated from SQL:
 * ```
 * SELECT moved AS "moved!", last AS "last!", rows_taken AS "rows_taken!" FROM sequence_events(:limit!)                                          
 * ```
 */
export const sequenceEvents = new PreparedQuery<ISequenceEventsParams,ISequenceEventsResult>(sequenceEventsIR);


/** 'LastEventSequence' parameters type */
export type ILastEventSequenceParams = void;

/** 'LastEventSequence' return type */
export interface ILastEventSequenceResult {
  last: string;
}

/** 'LastEventSequence' query type */
export interface ILastEventSequenceQuery {
  params: ILastEventSequenceParams;
  result: ILastEventSequenceResult;
}

const lastEventSequenceIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT last AS \"last!\" FROM event_counter                                                                                                                                                                                                                                                                    "};

/**
 * Query generated from SQL:
 * ```
 * SELECT last AS "last!" FROM event_counter                                                                                                                                                                                                                                                                    
 * ```
 */
export const lastEventSequence = new PreparedQuery<ILastEventSequenceParams,ILastEventSequenceResult>(lastEventSequenceIR);


/** 'ListNewEventOwners' parameters type */
export interface IListNewEventOwnersParams {
  after: NumberOrString;
  limit: NumberOrString;
}

/** 'ListNewEventOwners' return type */
export interface IListNewEventOwnersResult {
  owner_a: string;
  owner_b: string | null;
  sequence: string;
}

/** 'ListNewEventOwners' query type */
export interface IListNewEventOwnersQuery {
  params: IListNewEventOwnersParams;
  result: IListNewEventOwnersResult;
}

const listNewEventOwnersIR: any = {"usedParamSet":{"after":true,"limit":true},"params":[{"name":"after","required":true,"transform":{"type":"scalar"},"locs":[{"a":92,"b":98}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":124,"b":130}]}],"statement":"SELECT sequence AS \"sequence!\", owner_a AS \"owner_a!\", owner_b\nFROM events\nWHERE sequence > :after!\nORDER BY sequence\nLIMIT :limit!                                                           "};

/**
 * Query generated from SQL:
 * ```
 * SELECT sequence AS "sequence!", owner_a AS "owner_a!", owner_b
 * FROM events
 * WHERE sequence > :after!
 * ORDER BY sequence
 * LIMIT :limit!                                                           
 * ```
 */
export const listNewEventOwners = new PreparedQuery<IListNewEventOwnersParams,IListNewEventOwnersResult>(listNewEventOwnersIR);


/** 'ListAllEvents' parameters type */
export interface IListAllEventsParams {
  after: NumberOrString;
  limit: NumberOrString;
}

/** 'ListAllEvents' return type */
export interface IListAllEventsResult {
  created_at: string;
  data: Json;
  owner_a: string;
  owner_b: string | null;
  sequence: string;
  type: string;
}

/** 'ListAllEvents' query type */
export interface IListAllEventsQuery {
  params: IListAllEventsParams;
  result: IListAllEventsResult;
}

const listAllEventsIR: any = {"usedParamSet":{"after":true,"limit":true},"params":[{"name":"after","required":true,"transform":{"type":"scalar"},"locs":[{"a":181,"b":187}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":213,"b":219}]}],"statement":"SELECT sequence AS \"sequence!\", type AS \"type!\", api_timestamp(created_at) AS \"created_at!\", data AS \"data!\",\n       owner_a AS \"owner_a!\", owner_b\nFROM event_feed\nWHERE sequence > :after!\nORDER BY sequence\nLIMIT :limit!                                                                                                                                                                                                         "};

/**
 * Query generated from SQL:
 * ```
 * SELECT sequence AS "sequence!", type AS "type!", api_timestamp(created_at) AS "created_at!", data AS "data!",
 *        owner_a AS "owner_a!", owner_b
 * FROM event_feed
 * WHERE sequence > :after!
 * ORDER BY sequence
 * LIMIT :limit!                                                                                                                                                                                                         
 * ```
 */
export const listAllEvents = new PreparedQuery<IListAllEventsParams,IListAllEventsResult>(listAllEventsIR);


/** 'ListOwnEvents' parameters type */
export interface IListOwnEventsParams {
  after: NumberOrString;
  limit: NumberOrString;
  owner: string;
}

/** 'ListOwnEvents' return type */
export interface IListOwnEventsResult {
  created_at: string;
  data: Json;
  owner_a: string;
  owner_b: string | null;
  sequence: string;
  type: string;
}

/** 'ListOwnEvents' query type */
export interface IListOwnEventsQuery {
  params: IListOwnEventsParams;
  result: IListOwnEventsResult;
}

const listOwnEventsIR: any = {"usedParamSet":{"owner":true,"after":true,"limit":true},"params":[{"name":"owner","required":true,"transform":{"type":"scalar"},"locs":[{"a":199,"b":205},{"a":319,"b":325}]},{"name":"after","required":true,"transform":{"type":"scalar"},"locs":[{"a":222,"b":228},{"a":342,"b":348}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":254,"b":260},{"a":374,"b":380},{"a":413,"b":419}]}],"statement":"SELECT sequence AS \"sequence!\", type AS \"type!\", api_timestamp(created_at) AS \"created_at!\", data AS \"data!\",\n       owner_a AS \"owner_a!\", owner_b\nFROM (\n  (SELECT * FROM event_feed WHERE owner_a = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)\n  UNION ALL\n  (SELECT * FROM event_feed WHERE owner_b = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)\n) own\nORDER BY sequence\nLIMIT :limit!                                                                                               "};

/**
 * Query generated from SQL:
 * ```
 * SELECT sequence AS "sequence!", type AS "type!", api_timestamp(created_at) AS "created_at!", data AS "data!",
 *        owner_a AS "owner_a!", owner_b
 * FROM (
 *   (SELECT * FROM event_feed WHERE owner_a = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)
 *   UNION ALL
 *   (SELECT * FROM event_feed WHERE owner_b = :owner! AND sequence > :after! ORDER BY sequence LIMIT :limit!)
 * ) own
 * ORDER BY sequence
 * LIMIT :limit!                                                                                               
 * ```
 */
export const listOwnEvents = new PreparedQuery<IListOwnEventsParams,IListOwnEventsResult>(listOwnEventsIR);


/** 'DeleteOldEvents' parameters type */
export interface IDeleteOldEventsParams {
  before: DateOrString;
  limit: NumberOrString;
}

/** 'DeleteOldEvents' return type */
export type IDeleteOldEventsResult = void;

/** 'DeleteOldEvents' query type */
export interface IDeleteOldEventsQuery {
  params: IDeleteOldEventsParams;
  result: IDeleteOldEventsResult;
}

const deleteOldEventsIR: any = {"usedParamSet":{"before":true,"limit":true},"params":[{"name":"before","required":true,"transform":{"type":"scalar"},"locs":[{"a":91,"b":98}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":126,"b":132}]}],"statement":"DELETE FROM events\nWHERE sequence IN (SELECT e.sequence FROM events e WHERE e.created_at < :before! ORDER BY e.sequence LIMIT :limit!)                                                                                                  "};

/**
 * Query generated from SQL:
 * ```
 * DELETE FROM events
 * WHERE sequence IN (SELECT e.sequence FROM events e WHERE e.created_at < :before! ORDER BY e.sequence LIMIT :limit!)                                                                                                  
 * ```
 */
export const deleteOldEvents = new PreparedQuery<IDeleteOldEventsParams,IDeleteOldEventsResult>(deleteOldEventsIR);


/** 'OutboxStats' parameters type */
export type IOutboxStatsParams = void;

/** 'OutboxStats' return type */
export interface IOutboxStatsResult {
  events: number;
  oldest_age_s: number;
}

/** 'OutboxStats' query type */
export interface IOutboxStatsQuery {
  params: IOutboxStatsParams;
  result: IOutboxStatsResult;
}

const outboxStatsIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT coalesce(sum(cardinality(types)), 0)::int AS \"events!\", coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS \"oldest_age_s!\"\nFROM event_outbox"};

/**
 * Query generated from SQL:
 * ```
 * SELECT coalesce(sum(cardinality(types)), 0)::int AS "events!", coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS "oldest_age_s!"
 * FROM event_outbox
 * ```
 */
export const outboxStats = new PreparedQuery<IOutboxStatsParams,IOutboxStatsResult>(outboxStatsIR);


