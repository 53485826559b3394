/** Types generated for queries found in "sql/sessions.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type DateOrString = Date | string;

/** 'CreateSession' parameters type */
export interface ICreateSessionParams {
  checkedHash: string;
  clientIp: string;
  expiresAt: DateOrString;
  id: string;
  refreshTokenHash: Buffer;
  userAgent: string;
  username: string;
}

/** 'CreateSession' return type */
export interface ICreateSessionResult {
  client_ip: string;
  created_at: Date;
  expires_at: Date;
  id: string;
  is_blocked: boolean;
  user_agent: string;
  username: string;
}

/** 'CreateSession' query type */
export interface ICreateSessionQuery {
  params: ICreateSessionParams;
  result: ICreateSessionResult;
}

const createSessionIR: any = {"usedParamSet":{"id":true,"refreshTokenHash":true,"userAgent":true,"clientIp":true,"expiresAt":true,"username":true,"checkedHash":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":98,"b":101}]},{"name":"refreshTokenHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":116,"b":133}]},{"name":"userAgent","required":true,"transform":{"type":"scalar"},"locs":[{"a":136,"b":146}]},{"name":"clientIp","required":true,"transform":{"type":"scalar"},"locs":[{"a":149,"b":158}]},{"name":"expiresAt","required":true,"transform":{"type":"scalar"},"locs":[{"a":161,"b":171}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":223,"b":232}]},{"name":"checkedHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":256,"b":268}]}],"statement":"INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)\nSELECT :id!, u.username, :refreshTokenHash!, :userAgent!, :clientIp!, :expiresAt!\nFROM (SELECT username FROM users WHERE username = :username! AND hashed_password = :checkedHash! FOR SHARE) u\nRETURNING id, username, user_agent, client_ip, is_blocked, expires_at, created_at"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO sessions (id, username, refresh_token_hash, user_agent, client_ip, expires_at)
 * SELECT :id!, u.username, :refreshTokenHash!, :userAgent!, :clientIp!, :expiresAt!
 * FROM (SELECT username FROM users WHERE username = :username! AND hashed_password = :checkedHash! FOR SHARE) u
 * RETURNING id, username, user_agent, client_ip, is_blocked, expires_at, created_at
 * ```
 */
export const createSession = new PreparedQuery<ICreateSessionParams,ICreateSessionResult>(createSessionIR);


/** 'GetSession' parameters type */
export interface IGetSessionParams {
  id: string;
}

/** 'GetSession' return type */
export interface IGetSessionResult {
  client_ip: string;
  created_at: Date;
  expires_at: Date;
  id: string;
  is_blocked: boolean;
  previous_refresh_token_hash: Buffer | null;
  refresh_token_hash: Buffer;
  refresh_token_spent_at: Date | null;
  user_agent: string;
  username: string;
}

/** 'GetSession' query type */
export interface IGetSessionQuery {
  params: IGetSessionParams;
  result: IGetSessionResult;
}

const getSessionIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":184,"b":187}]}],"statement":"SELECT id, username, refresh_token_hash, previous_refresh_token_hash, refresh_token_spent_at,\n       user_agent, client_ip, is_blocked, expires_at, created_at\nFROM sessions\nWHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, username, refresh_token_hash, previous_refresh_token_hash, refresh_token_spent_at,
 *        user_agent, client_ip, is_blocked, expires_at, created_at
 * FROM sessions
 * WHERE id = :id!
 * ```
 */
export const getSession = new PreparedQuery<IGetSessionParams,IGetSessionResult>(getSessionIR);


/** 'BlockSession' parameters type */
export interface IBlockSessionParams {
  id: string;
}

/** 'BlockSession' return type */
export interface IBlockSessionResult {
  id: string;
  is_blocked: boolean;
}

/** 'BlockSession' query type */
export interface IBlockSessionQuery {
  params: IBlockSessionParams;
  result: IBlockSessionResult;
}

const blockSessionIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":49,"b":52}]}],"statement":"UPDATE sessions\nSET is_blocked = true\nWHERE id = :id!\nRETURNING id, is_blocked                                                                                              "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE sessions
 * SET is_blocked = true
 * WHERE id = :id!
 * RETURNING id, is_blocked                                                                                              
 * ```
 */
export const blockSession = new PreparedQuery<IBlockSessionParams,IBlockSessionResult>(blockSessionIR);


/** 'GetSessionAuthority' parameters type */
export interface IGetSessionAuthorityParams {
  id: string;
}

/** 'GetSessionAuthority' return type */
export interface IGetSessionAuthorityResult {
  expires_at: Date;
  is_blocked: boolean;
  role: string;
  username: string;
}

/** 'GetSessionAuthority' query type */
export interface IGetSessionAuthorityQuery {
  params: IGetSessionAuthorityParams;
  result: IGetSessionAuthorityResult;
}

const getSessionAuthorityIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":123,"b":126}]}],"statement":"SELECT s.username, s.is_blocked, s.expires_at, u.role\nFROM sessions s\nJOIN users u ON u.username = s.username\nWHERE s.id = :id!                                                                                                                                                                                                "};

/**
 * Query generated from SQL:
 * ```
 * SELECT s.username, s.is_blocked, s.expires_at, u.role
 * FROM sessions s
 * JOIN users u ON u.username = s.username
 * WHERE s.id = :id!                                                                                                                                                                                                
 * ```
 */
export const getSessionAuthority = new PreparedQuery<IGetSessionAuthorityParams,IGetSessionAuthorityResult>(getSessionAuthorityIR);


/** 'RotateRefreshToken' parameters type */
export interface IRotateRefreshTokenParams {
  id: string;
  newHash: Buffer;
  presentedHash: Buffer;
  spentAt: DateOrString;
}

/** 'RotateRefreshToken' return type */
export interface IRotateRefreshTokenResult {
  id: string;
}

/** 'RotateRefreshToken' query type */
export interface IRotateRefreshTokenQuery {
  params: IRotateRefreshTokenParams;
  result: IRotateRefreshTokenResult;
}

const rotateRefreshTokenIR: any = {"usedParamSet":{"newHash":true,"spentAt":true,"id":true,"presentedHash":true},"params":[{"name":"newHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":50,"b":58}]},{"name":"spentAt","required":true,"transform":{"type":"scalar"},"locs":[{"a":149,"b":157}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":183,"b":186}]},{"name":"presentedHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":255,"b":269}]}],"statement":"UPDATE sessions\nSET refresh_token_hash          = :newHash!,\n    previous_refresh_token_hash = refresh_token_hash,\n    refresh_token_spent_at      = :spentAt!::timestamptz\nWHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :presentedHash!\nRETURNING id                                                                                                                                                                                                                                                                                                             "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE sessions
 * SET refresh_token_hash          = :newHash!,
 *     previous_refresh_token_hash = refresh_token_hash,
 *     refresh_token_spent_at      = :spentAt!::timestamptz
 * WHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :presentedHash!
 * RETURNING id                                                                                                                                                                                                                                                                                                             
 * ```
 */
export const rotateRefreshToken = new PreparedQuery<IRotateRefreshTokenParams,IRotateRefreshTokenResult>(rotateRefreshTokenIR);


/** 'ReplaceUnusedRefreshToken' parameters type */
export interface IReplaceUnusedRefreshTokenParams {
  id: string;
  newHash: Buffer;
  presentedHash: Buffer;
  unusedHash: Buffer;
}

/** 'ReplaceUnusedRefreshToken' return type */
export interface IReplaceUnusedRefreshTokenResult {
  id: string;
}

/** 'ReplaceUnusedRefreshToken' query type */
export interface IReplaceUnusedRefreshTokenQuery {
  params: IReplaceUnusedRefreshTokenParams;
  result: IReplaceUnusedRefreshTokenResult;
}

const replaceUnusedRefreshTokenIR: any = {"usedParamSet":{"newHash":true,"id":true,"unusedHash":true,"presentedHash":true},"params":[{"name":"newHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":41,"b":49}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":62,"b":65}]},{"name":"unusedHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":134,"b":145}]},{"name":"presentedHash","required":true,"transform":{"type":"scalar"},"locs":[{"a":183,"b":197}]}],"statement":"UPDATE sessions\nSET refresh_token_hash = :newHash!\nWHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :unusedHash!\n  AND previous_refresh_token_hash = :presentedHash! AND refresh_token_spent_at > now() - interval '10 seconds'\nRETURNING id                                                                                                     "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE sessions
 * SET refresh_token_hash = :newHash!
 * WHERE id = :id! AND NOT is_blocked AND expires_at > now() AND refresh_token_hash = :unusedHash!
 *   AND previous_refresh_token_hash = :presentedHash! AND refresh_token_spent_at > now() - interval '10 seconds'
 * RETURNING id                                                                                                     
 * ```
 */
export const replaceUnusedRefreshToken = new PreparedQuery<IReplaceUnusedRefreshTokenParams,IReplaceUnusedRefreshTokenResult>(replaceUnusedRefreshTokenIR);


/** 'BlockOtherSessions' parameters type */
export interface IBlockOtherSessionsParams {
  keep?: string | null | void;
  username: string;
}

/** 'BlockOtherSessions' return type */
export type IBlockOtherSessionsResult = void;

/** 'BlockOtherSessions' query type */
export interface IBlockOtherSessionsQuery {
  params: IBlockOtherSessionsParams;
  result: IBlockOtherSessionsResult;
}

const blockOtherSessionsIR: any = {"usedParamSet":{"username":true,"keep":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":55,"b":64}]},{"name":"keep","required":false,"transform":{"type":"scalar"},"locs":[{"a":109,"b":113}]}],"statement":"UPDATE sessions\nSET is_blocked = true\nWHERE username = :username! AND NOT is_blocked AND id IS DISTINCT FROM :keep"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE sessions
 * SET is_blocked = true
 * WHERE username = :username! AND NOT is_blocked AND id IS DISTINCT FROM :keep
 * ```
 */
export const blockOtherSessions = new PreparedQuery<IBlockOtherSessionsParams,IBlockOtherSessionsResult>(blockOtherSessionsIR);


