// PASETO v4.public (Ed25519) tokens through the `paseto` package's built-in implementation.
// Access and refresh tokens differ by audience, so one can never stand in for the other.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PublicProtocol } from 'paseto';
import {
  ExportPublicKeyFactory,
  ExportSecretKeyFactory,
  GenerateKeyPairFactory,
  GetPublicKeyFactory,
  ImportPublicKeyFactory,
  ImportSecretKeyFactory,
  SignFactory,
  VerifyFactory,
} from 'paseto/v4/public';
import type { Caller } from '../caller.js';
import { isRole, type Role } from '../users/users.schemas.js';

const v4 = new PublicProtocol(
  GenerateKeyPairFactory,
  SignFactory,
  VerifyFactory,
  ImportSecretKeyFactory,
  ExportSecretKeyFactory,
  GetPublicKeyFactory,
  ImportPublicKeyFactory,
  ExportPublicKeyFactory,
);

const ISSUER = 'simple-bank';
const ACCESS = 'simple-bank:access';
const REFRESH = 'simple-bank:refresh';

export interface RefreshClaims {
  sessionId: string;
  username: string;
  expiresAt: Date;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** A fresh PASERK `k4.secret.…` key. */
export async function generateSecretKey(): Promise<string> {
  const { secretKey } = await v4.GenerateKeyPair({ extractable: true });
  return v4.ExportSecretKey(secretKey);
}

/** Embedded mode: the key lives beside the data, so tokens survive restarts. */
export async function loadOrCreateKeyFile(dataDir: string): Promise<string> {
  const file = join(dataDir, 'token-secret-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = await generateSecretKey();
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/** The PASERK `k4.public` key of a `k4.secret` key: what TOKEN_PREVIOUS_PUBLIC_KEYS lists after a rotation. */
export async function publicKeyOf(paserk: string): Promise<string> {
  if (!paserk.startsWith('k4.secret.')) throw new InvalidTokenError('the token key must be a PASERK k4.secret key');
  return v4.ExportPublicKey(await v4.GetPublicKey(await v4.ImportSecretKey(paserk as `k4.secret.${string}`)));
}

export type TokenMaker = Awaited<ReturnType<typeof createTokenMaker>>;

/**
 * Signs with `paserk` (k4.secret); verifies with its public key, then with each of `previousPublicKeys`
 * (k4.public: the keys of a rotation's overlap window, never used to sign).
 */
/**
 * What is wrong with the configured keys, as one sentence naming the variable, or undefined: checked at
 * start, before anything runs, so that a key that only looks like a PASERK is not a stack trace later.
 */
export async function tokenKeyProblem(secret: string | undefined, previous: readonly string[]): Promise<string | undefined> {
  if (secret !== undefined) {
    try {
      await v4.ImportSecretKey(secret as `k4.secret.${string}`);
    } catch {
      return 'TOKEN_SECRET_KEY is not a valid PASERK k4.secret key: make one with `npm run cli -- new-token-key`.';
    }
  }
  for (const [i, key] of previous.entries()) {
    try {
      await v4.ImportPublicKey(key as `k4.public.${string}`);
    } catch {
      return `TOKEN_PREVIOUS_PUBLIC_KEYS: key ${i + 1} is not a valid PASERK k4.public key (\`npm run cli -- token-public-key\` prints the current key's).`;
    }
  }
  return undefined;
}

export async function createTokenMaker(
  paserk: string,
  durations: { accessTokenMs: number; refreshTokenMs: number },
  previousPublicKeys: readonly string[] = [],
) {
  if (!paserk.startsWith('k4.secret.')) throw new InvalidTokenError('the token key must be a PASERK k4.secret key');
  const secretKey = await v4.ImportSecretKey(paserk as `k4.secret.${string}`);
  const publicKey = await v4.GetPublicKey(secretKey);
  const previous = await Promise.all(
    previousPublicKeys.map((k) => {
      if (!k.startsWith('k4.public.')) throw new InvalidTokenError('a previous token key must be a PASERK k4.public key');
      return v4.ImportPublicKey(k as `k4.public.${string}`);
    }),
  );

  // Ed25519 signatures are deterministic: the same claims (jti and time included) make the same token.
  async function sign(aud: string, claims: Record<string, string>, ms: number, now: Date, jti: string = randomUUID()) {
    const token = await v4.Sign(
      secretKey,
      { ...claims, aud, iss: ISSUER, jti },
      {
        now,
        expiresIn: Math.floor(ms / 1000),
      },
    );
    // PASETO times have whole seconds: report the expiry the token itself carries.
    return { token, expiresAt: new Date((Math.floor(now.getTime() / 1000) + Math.floor(ms / 1000)) * 1000) };
  }

  async function verify(aud: string, token: string) {
    // Only v4.public tokens signed by our key are even looked at; every other version,
    // purpose, a tampered or expired token fails here.
    if (typeof token !== 'string' || !token.startsWith('v4.public.')) throw new InvalidTokenError('not a v4.public token');
    let first: unknown;
    for (const key of [publicKey, ...previous]) {
      try {
        const { claims } = await v4.Verify(key, token, { audience: aud, issuer: ISSUER, requiredClaims: ['sub', 'sid', 'exp', 'iat'] });
        return claims as Record<string, unknown>;
      } catch (err) {
        first ??= err;
      }
    }
    throw new InvalidTokenError(first instanceof Error ? first.message : 'invalid token');
  }

  // Clients present the same access token for its whole life: remember verified ones (bounded, and
  // only until they expire) instead of checking the Ed25519 signature on every request. Revocation
  // is not decided here: the session guard checks every request.
  const verified = new Map<string, Caller>();
  const MAX_CACHED = 20_000;

  return {
    /** An access token; a given `jti` and `now` make it again byte for byte (a renewal's replay). */
    createAccessToken(sessionId: string, username: string, role: Role, now = new Date(), jti?: string) {
      return sign(ACCESS, { sub: username, sid: sessionId, role }, durations.accessTokenMs, now, jti);
    },
    /** A refresh token; `expiresAt` (a rotation) keeps the session's own expiry instead of a new one. */
    createRefreshToken(sessionId: string, username: string, now = new Date(), expiresAt?: Date, jti?: string) {
      const ms = expiresAt ? (Math.floor(expiresAt.getTime() / 1000) - Math.floor(now.getTime() / 1000)) * 1000 : durations.refreshTokenMs;
      return sign(REFRESH, { sub: username, sid: sessionId }, ms, now, jti);
    },
    async verifyAccessToken(token: string): Promise<Caller> {
      const hit = verified.get(token);
      if (hit) {
        if (hit.expiresAt.getTime() > Date.now()) return hit;
        verified.delete(token);
      }
      const claims = await verifyAccessUncached(token);
      if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    },
    async verifyRefreshToken(token: string): Promise<RefreshClaims> {
      const c = await verify(REFRESH, token);
      return { sessionId: String(c.sid), username: String(c.sub), expiresAt: new Date(String(c.exp)) };
    },
  };

  async function verifyAccessUncached(token: string): Promise<Caller> {
    const c = await verify(ACCESS, token);
    if (!isRole(c.role)) throw new InvalidTokenError('unknown role');
    return {
      sessionId: String(c.sid),
      username: String(c.sub),
      role: c.role,
      issuedAt: new Date(String(c.iat)),
      expiresAt: new Date(String(c.exp)),
    };
  }
}
