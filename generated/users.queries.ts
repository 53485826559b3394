/** Types generated for queries found in "sql/users.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type NumberOrString = number | string;

/** 'CreateUser' parameters type */
export interface ICreateUserParams {
  email: string;
  fullName: string;
  hashedPassword: string;
  username: string;
}

/** 'CreateUser' return type */
export interface ICreateUserResult {
  created_at: Date;
  email: string;
  full_name: string;
  is_email_verified: boolean;
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'CreateUser' query type */
export interface ICreateUserQuery {
  params: ICreateUserParams;
  result: ICreateUserResult;
}

const createUserIR: any = {"usedParamSet":{"username":true,"hashedPassword":true,"fullName":true,"email":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":72,"b":81}]},{"name":"hashedPassword","required":true,"transform":{"type":"scalar"},"locs":[{"a":84,"b":99}]},{"name":"fullName","required":true,"transform":{"type":"scalar"},"locs":[{"a":102,"b":111}]},{"name":"email","required":true,"transform":{"type":"scalar"},"locs":[{"a":114,"b":120}]}],"statement":"INSERT INTO users (username, hashed_password, full_name, email)\nVALUES (:username!, :hashedPassword!, :fullName!, :email!)\nRETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO users (username, hashed_password, full_name, email)
 * VALUES (:username!, :hashedPassword!, :fullName!, :email!)
 * RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified
 * ```
 */
export const createUser = new PreparedQuery<ICreateUserParams,ICreateUserResult>(createUserIR);


/** 'GetUser' parameters type */
export interface IGetUserParams {
  username: string;
}

/** 'GetUser' return type */
export interface IGetUserResult {
  created_at: Date;
  email: string;
  full_name: string;
  is_email_verified: boolean;
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'GetUser' query type */
export interface IGetUserQuery {
  params: IGetUserParams;
  result: IGetUserResult;
}

const getUserIR: any = {"usedParamSet":{"username":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":120,"b":129}]}],"statement":"SELECT username, full_name, email, role, password_changed_at, created_at, is_email_verified\nFROM users\nWHERE username = :username!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT username, full_name, email, role, password_changed_at, created_at, is_email_verified
 * FROM users
 * WHERE username = :username!
 * ```
 */
export const getUser = new PreparedQuery<IGetUserParams,IGetUserResult>(getUserIR);


/** 'GetUserCredentials' parameters type */
export interface IGetUserCredentialsParams {
  username: string;
}

/** 'GetUserCredentials' return type */
export interface IGetUserCredentialsResult {
  created_at: Date;
  email: string;
  full_name: string;
  hashed_password: string;
  is_email_verified: boolean;
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'GetUserCredentials' query type */
export interface IGetUserCredentialsQuery {
  params: IGetUserCredentialsParams;
  result: IGetUserCredentialsResult;
}

const getUserCredentialsIR: any = {"usedParamSet":{"username":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":137,"b":146}]}],"statement":"SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at, is_email_verified\nFROM users\nWHERE username = :username! AND role <> 'system'"};

/**
 * Query generated from SQL:
 * ```
 * SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at, is_email_verified
 * FROM users
 * WHERE username = :username! AND role <> 'system'
 * ```
 */
export const getUserCredentials = new PreparedQuery<IGetUserCredentialsParams,IGetUserCredentialsResult>(getUserCredentialsIR);


/** 'UpdateUser' parameters type */
export interface IUpdateUserParams {
  email?: string | null | void;
  fullName?: string | null | void;
  hashedPassword?: string | null | void;
  username: string;
}

/** 'UpdateUser' return type */
export interface IUpdateUserResult {
  created_at: Date;
  email: string;
  full_name: string;
  is_email_verified: boolean;
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'UpdateUser' query type */
export interface IUpdateUserQuery {
  params: IUpdateUserParams;
  result: IUpdateUserResult;
}

const updateUserIR: any = {"usedParamSet":{"fullName":true,"email":true,"hashedPassword":true,"username":true},"params":[{"name":"fullName","required":false,"transform":{"type":"scalar"},"locs":[{"a":48,"b":56}]},{"name":"email","required":false,"transform":{"type":"scalar"},"locs":[{"a":106,"b":111},{"a":252,"b":257}]},{"name":"hashedPassword","required":false,"transform":{"type":"scalar"},"locs":[{"a":311,"b":325},{"a":382,"b":396}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":469,"b":478}]}],"statement":"UPDATE users\nSET full_name           = COALESCE(:fullName, full_name),\n    email               = COALESCE(:email, email),\n    -- A new email is not verified (the same one again changes nothing).\n    is_email_verified   = is_email_verified AND COALESCE(:email, email) = email,\n    hashed_password     = COALESCE(:hashedPassword, hashed_password),\n    password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END\nWHERE username = :username! AND role <> 'system'\nRETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE users
 * SET full_name           = COALESCE(:fullName, full_name),
 *     email               = COALESCE(:email, email),
 *     -- A new email is not verified (the same one again changes nothing).
 *     is_email_verified   = is_email_verified AND COALESCE(:email, email) = email,
 *     hashed_password     = COALESCE(:hashedPassword, hashed_password),
 *     password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END
 * WHERE username = :username! AND role <> 'system'
 * RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified
 * ```
 */
export const updateUser = new PreparedQuery<IUpdateUserParams,IUpdateUserResult>(updateUserIR);


/** 'SetUserRole' parameters type */
export interface ISetUserRoleParams {
  role: string;
  username: string;
}

/** 'SetUserRole' return type */
export interface ISetUserRoleResult {
  created_at: Date;
  email: string;
  full_name: string;
  is_email_verified: boolean;
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'SetUserRole' query type */
export interface ISetUserRoleQuery {
  params: ISetUserRoleParams;
  result: ISetUserRoleResult;
}

const setUserRoleIR: any = {"usedParamSet":{"role":true,"username":true},"params":[{"name":"role","required":true,"transform":{"type":"scalar"},"locs":[{"a":24,"b":29}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":48,"b":57}]}],"statement":"UPDATE users\nSET role = :role!\nWHERE username = :username! AND role <> 'system'\nRETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified                                                                                                                                        "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE users
 * SET role = :role!
 * WHERE username = :username! AND role <> 'system'
 * RETURNING username, full_name, email, role, password_changed_at, created_at, is_email_verified                                                                                                                                        
 * ```
 */
export const setUserRole = new PreparedQuery<ISetUserRoleParams,ISetUserRoleResult>(setUserRoleIR);


/** 'QueueVerifyEmail' parameters type */
export interface IQueueVerifyEmailParams {
  secretCode: string;
  username: string;
}

/** 'QueueVerifyEmail' return type */
export interface IQueueVerifyEmailResult {
  id: string;
  queued: boolean;
}

/** 'QueueVerifyEmail' query type */
export interface IQueueVerifyEmailQuery {
  params: IQueueVerifyEmailParams;
  result: IQueueVerifyEmailResult;
}

const queueVerifyEmailIR: any = {"usedParamSet":{"secretCode":true,"username":true},"params":[{"name":"secretCode","required":true,"transform":{"type":"scalar"},"locs":[{"a":106,"b":117}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":151,"b":160}]}],"statement":"WITH queued AS (\n  INSERT INTO verify_emails (username, email, secret_code)\n  SELECT u.username, u.email, :secretCode! FROM users u WHERE u.username = :username!\n  RETURNING id\n)\nSELECT q.id AS \"id!\", enqueue_job('send_verify_email', json_build_object('id', q.id), 'verify_email:' || q.id) AS \"queued!\"\nFROM queued q                                                                           "};

/**
 * Query generated from SQL:
 * ```
 * WITH queued AS (
 *   INSERT INTO verify_emails (username, email, secret_code)
 *   SELECT u.username, u.email, :secretCode! FROM users u WHERE u.username = :username!
 *   RETURNING id
 * )
 * SELECT q.id AS "id!", enqueue_job('send_verify_email', json_build_object('id', q.id), 'verify_email:' || q.id) AS "queued!"
 * FROM queued q                                                                           
 * ```
 */
export const queueVerifyEmail = new PreparedQuery<IQueueVerifyEmailParams,IQueueVerifyEmailResult>(queueVerifyEmailIR);


/** 'GetVerifyEmailToSend' parameters type */
export interface IGetVerifyEmailToSendParams {
  id: NumberOrString;
}

/** 'GetVerifyEmailToSend' return type */
export interface IGetVerifyEmailToSendResult {
  email: string;
  expired_at: Date;
  full_name: string;
  id: string;
  secret_code: string;
  username: string;
}

/** 'GetVerifyEmailToSend' query type */
export interface IGetVerifyEmailToSendQuery {
  params: IGetVerifyEmailToSendParams;
  result: IGetVerifyEmailToSendResult;
}

const getVerifyEmailToSendIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":149,"b":152}]}],"statement":"SELECT v.id, v.username, v.email, v.secret_code, v.expired_at, u.full_name\nFROM verify_emails v JOIN users u ON u.username = v.username\nWHERE v.id = :id! AND v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now()"};

/**
 * Query generated from SQL:
 * ```
 * SELECT v.id, v.username, v.email, v.secret_code, v.expired_at, u.full_name
 * FROM verify_emails v JOIN users u ON u.username = v.username
 * WHERE v.id = :id! AND v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now()
 * ```
 */
export const getVerifyEmailToSend = new PreparedQuery<IGetVerifyEmailToSendParams,IGetVerifyEmailToSendResult>(getVerifyEmailToSendIR);


/** 'MarkVerifyEmailSent' parameters type */
export interface IMarkVerifyEmailSentParams {
  id: NumberOrString;
}

/** 'MarkVerifyEmailSent' return type */
export type IMarkVerifyEmailSentResult = void;

/** 'MarkVerifyEmailSent' query type */
export interface IMarkVerifyEmailSentQuery {
  params: IMarkVerifyEmailSentParams;
  result: IMarkVerifyEmailSentResult;
}

const markVerifyEmailSentIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":52,"b":55}]}],"statement":"UPDATE verify_emails SET sent_at = now() WHERE id = :id! AND sent_at IS NULL                                                                                                                                       "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE verify_emails SET sent_at = now() WHERE id = :id! AND sent_at IS NULL                                                                                                                                       
 * ```
 */
export const markVerifyEmailSent = new PreparedQuery<IMarkVerifyEmailSentParams,IMarkVerifyEmailSentResult>(markVerifyEmailSentIR);


/** 'QueueUnsentVerifyEmails' parameters type */
export interface IQueueUnsentVerifyEmailsParams {
  olderThanS: number;
}

/** 'QueueUnsentVerifyEmails' return type */
export interface IQueueUnsentVerifyEmailsResult {
  id: string;
  queued: boolean;
}

/** 'QueueUnsentVerifyEmails' query type */
export interface IQueueUnsentVerifyEmailsQuery {
  params: IQueueUnsentVerifyEmailsParams;
  result: IQueueUnsentVerifyEmailsResult;
}

const queueUnsentVerifyEmailsIR: any = {"usedParamSet":{"olderThanS":true},"params":[{"name":"olderThanS","required":true,"transform":{"type":"scalar"},"locs":[{"a":261,"b":272}]}],"statement":"SELECT v.id AS \"id!\", enqueue_job('send_verify_email', json_build_object('id', v.id), 'verify_email:' || v.id) AS \"queued!\"\nFROM verify_emails v\nWHERE v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now() AND v.created_at < now() - make_interval(secs => :olderThanS!)\nORDER BY v.created_at\nLIMIT 1000                                                                                                                                                                                            "};

/**
 * Query generated from SQL:
 * ```
 * SELECT v.id AS "id!", enqueue_job('send_verify_email', json_build_object('id', v.id), 'verify_email:' || v.id) AS "queued!"
 * FROM verify_emails v
 * WHERE v.sent_at IS NULL AND NOT v.is_used AND v.expired_at > now() AND v.created_at < now() - make_interval(secs => :olderThanS!)
 * ORDER BY v.created_at
 * LIMIT 1000                                                                                                                                                                                            
 * ```
 */
export const queueUnsentVerifyEmails = new PreparedQuery<IQueueUnsentVerifyEmailsParams,IQueueUnsentVerifyEmailsResult>(queueUnsentVerifyEmailsIR);


/** 'VerifyEmail' parameters type */
export interface IVerifyEmailParams {
  id: NumberOrString;
  secretCode: string;
}

/** 'VerifyEmail' return type */
export interface IVerifyEmailResult {
  verified: number;
}

/** 'VerifyEmail' query type */
export interface IVerifyEmailQuery {
  params: IVerifyEmailParams;
  result: IVerifyEmailResult;
}

const verifyEmailIR: any = {"usedParamSet":{"id":true,"secretCode":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":74,"b":77}]},{"name":"secretCode","required":true,"transform":{"type":"scalar"},"locs":[{"a":99,"b":110}]}],"statement":"WITH used AS (\n  UPDATE verify_emails v SET is_used = true\n  WHERE v.id = :id! AND v.secret_code = :secretCode! AND NOT v.is_used AND v.expired_at > now()\n  RETURNING v.username, v.email\n), verified AS (\n  UPDATE users u SET is_email_verified = true\n  FROM used WHERE u.username = used.username AND u.email = used.email\n  RETURNING u.username, u.full_name, u.email, u.role, u.password_changed_at, u.created_at, u.is_email_verified\n), announced AS (\n  INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)\n  SELECT ARRAY['user.email_verified'], ARRAY[NULL::bigint],\n         ARRAY[json_build_object('user', json_build_object('username', v.username, 'full_name', v.full_name, 'email', v.email,\n           'role', v.role, 'password_changed_at', api_timestamp(v.password_changed_at), 'created_at', api_timestamp(v.created_at),\n           'is_email_verified', v.is_email_verified))],\n         ARRAY[v.username], ARRAY[NULL::text]\n  FROM verified v\n)\nSELECT (SELECT count(*) FROM verified)::int AS \"verified!\""};

/**
 * Query generated from SQL:
 * ```
 * WITH used AS (
 *   UPDATE verify_emails v SET is_used = true
 *   WHERE v.id = :id! AND v.secret_code = :secretCode! AND NOT v.is_used AND v.expired_at > now()
 *   RETURNING v.username, v.email
 * ), verified AS (
 *   UPDATE users u SET is_email_verified = true
 *   FROM used WHERE u.username = used.username AND u.email = used.email
 *   RETURNING u.username, u.full_name, u.email, u.role, u.password_changed_at, u.created_at, u.is_email_verified
 * ), announced AS (
 *   INSERT INTO event_outbox (types, transfer_ids, datas, owners_a, owners_b)
 *   SELECT ARRAY['user.email_verified'], ARRAY[NULL::bigint],
 *          ARRAY[json_build_object('user', json_build_object('username', v.username, 'full_name', v.full_name, 'email', v.email,
 *            'role', v.role, 'password_changed_at', api_timestamp(v.password_changed_at), 'created_at', api_timestamp(v.created_at),
 *            'is_email_verified', v.is_email_verified))],
 *          ARRAY[v.username], ARRAY[NULL::text]
 *   FROM verified v
 * )
 * SELECT (SELECT count(*) FROM verified)::int AS "verified!"
 * ```
 */
export const verifyEmail = new PreparedQuery<IVerifyEmailParams,IVerifyEmailResult>(verifyEmailIR);


