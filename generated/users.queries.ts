/** Types generated for queries found in "sql/users.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

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
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'CreateUser' query type */
export interface ICreateUserQuery {
  params: ICreateUserParams;
  result: ICreateUserResult;
}

const createUserIR: any = {"usedParamSet":{"username":true,"hashedPassword":true,"fullName":true,"email":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":72,"b":81}]},{"name":"hashedPassword","required":true,"transform":{"type":"scalar"},"locs":[{"a":84,"b":99}]},{"name":"fullName","required":true,"transform":{"type":"scalar"},"locs":[{"a":102,"b":111}]},{"name":"email","required":true,"transform":{"type":"scalar"},"locs":[{"a":114,"b":120}]}],"statement":"INSERT INTO users (username, hashed_password, full_name, email)\nVALUES (:username!, :hashedPassword!, :fullName!, :email!)\nRETURNING username, full_name, email, role, password_changed_at, created_at"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO users (username, hashed_password, full_name, email)
 * VALUES (:username!, :hashedPassword!, :fullName!, :email!)
 * RETURNING username, full_name, email, role, password_changed_at, created_at
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
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'GetUser' query type */
export interface IGetUserQuery {
  params: IGetUserParams;
  result: IGetUserResult;
}

const getUserIR: any = {"usedParamSet":{"username":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":101,"b":110}]}],"statement":"SELECT username, full_name, email, role, password_changed_at, created_at\nFROM users\nWHERE username = :username!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT username, full_name, email, role, password_changed_at, created_at
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
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'GetUserCredentials' query type */
export interface IGetUserCredentialsQuery {
  params: IGetUserCredentialsParams;
  result: IGetUserCredentialsResult;
}

const getUserCredentialsIR: any = {"usedParamSet":{"username":true},"params":[{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":118,"b":127}]}],"statement":"SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at\nFROM users\nWHERE username = :username! AND role <> 'system'"};

/**
 * Query generated from SQL:
 * ```
 * SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at
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
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'UpdateUser' query type */
export interface IUpdateUserQuery {
  params: IUpdateUserParams;
  result: IUpdateUserResult;
}

const updateUserIR: any = {"usedParamSet":{"fullName":true,"email":true,"hashedPassword":true,"username":true},"params":[{"name":"fullName","required":false,"transform":{"type":"scalar"},"locs":[{"a":48,"b":56}]},{"name":"email","required":false,"transform":{"type":"scalar"},"locs":[{"a":106,"b":111}]},{"name":"hashedPassword","required":false,"transform":{"type":"scalar"},"locs":[{"a":157,"b":171},{"a":228,"b":242}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":315,"b":324}]}],"statement":"UPDATE users\nSET full_name           = COALESCE(:fullName, full_name),\n    email               = COALESCE(:email, email),\n    hashed_password     = COALESCE(:hashedPassword, hashed_password),\n    password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END\nWHERE username = :username! AND role <> 'system'\nRETURNING username, full_name, email, role, password_changed_at, created_at"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE users
 * SET full_name           = COALESCE(:fullName, full_name),
 *     email               = COALESCE(:email, email),
 *     hashed_password     = COALESCE(:hashedPassword, hashed_password),
 *     password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END
 * WHERE username = :username! AND role <> 'system'
 * RETURNING username, full_name, email, role, password_changed_at, created_at
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
  password_changed_at: Date;
  role: string;
  username: string;
}

/** 'SetUserRole' query type */
export interface ISetUserRoleQuery {
  params: ISetUserRoleParams;
  result: ISetUserRoleResult;
}

const setUserRoleIR: any = {"usedParamSet":{"role":true,"username":true},"params":[{"name":"role","required":true,"transform":{"type":"scalar"},"locs":[{"a":24,"b":29}]},{"name":"username","required":true,"transform":{"type":"scalar"},"locs":[{"a":48,"b":57}]}],"statement":"UPDATE users\nSET role = :role!\nWHERE username = :username! AND role <> 'system'\nRETURNING username, full_name, email, role, password_changed_at, created_at"};

/**
 * Query generated from SQL:
 * ```
 * UPDATE users
 * SET role = :role!
 * WHERE username = :username! AND role <> 'system'
 * RETURNING username, full_name, email, role, password_changed_at, created_at
 * ```
 */
export const setUserRole = new PreparedQuery<ISetUserRoleParams,ISetUserRoleResult>(setUserRoleIR);


