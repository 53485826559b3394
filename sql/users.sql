/* @name CreateUser */
INSERT INTO users (username, hashed_password, full_name, email)
VALUES (:username!, :hashedPassword!, :fullName!, :email!)
RETURNING username, full_name, email, role, password_changed_at, created_at;

/* @name GetUser */
SELECT username, full_name, email, role, password_changed_at, created_at
FROM users
WHERE username = :username!;

/* @name GetUserCredentials */
SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at
FROM users
WHERE username = :username! AND role <> 'system';

/* @name UpdateUser */
UPDATE users
SET full_name           = COALESCE(:fullName, full_name),
    email               = COALESCE(:email, email),
    hashed_password     = COALESCE(:hashedPassword, hashed_password),
    password_changed_at = CASE WHEN :hashedPassword::text IS NULL THEN password_changed_at ELSE now() END
WHERE username = :username! AND role <> 'system'
RETURNING username, full_name, email, role, password_changed_at, created_at;

/* @name SetUserRole */
UPDATE users
SET role = :role!
WHERE username = :username! AND role <> 'system'
RETURNING username, full_name, email, role, password_changed_at, created_at;
