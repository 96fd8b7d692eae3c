/**
 * API keys and roles. A key is 32 random bytes shown once at creation; the store keeps only its SHA-256 (a slow
 * password hash buys nothing for random keys). Each route names the roles it admits; no key is 401, a key of
 * another role is 403. The key's name is the actor in the audit trail.
 */
import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ROLES, type ApiKeyRecord, type DecisionStore, type Role } from '../store/types.ts';
import { ApiError } from './errors.ts';

export const KEY_PREFIX = 'fw_';

export function hashKey(key: string): string {
  // Every request with a key pays this; one call makes no Hash object (Node 20.12+, hence package.json's engines).
  return hash('sha256', key);
}

/** A new key's record and the key itself (shown once); nothing is stored. */
export function newApiKey(
  role: Role,
  name: string,
  now = Date.now(),
  expiresAt: number | null = null,
): { record: ApiKeyRecord; key: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id: randomUUID(),
    name,
    role,
    key_hash: hashKey(key),
    created_at: now,
    revoked_at: null,
    expires_at: expiresAt,
  };
  return { record, key };
}

/** Creates and stores a key; `actor` (who created it) makes the store audit it in the same transaction. */
export async function createApiKey(
  store: DecisionStore,
  role: Role,
  name: string,
  now = Date.now(),
  options: { expiresAt?: number | null; actor?: string } = {},
): Promise<{ record: ApiKeyRecord; key: string }> {
  const created = newApiKey(role, name, now, options.expiresAt ?? null);
  const { record } = created;
  await store.createApiKey(
    record,
    options.actor === undefined
      ? undefined
      : {
          at: now,
          actor: options.actor,
          action: 'key_create',
          transaction_id: null,
          old_value: null,
          new_value: JSON.stringify({ id: record.id, name, role, expires_at: record.expires_at }),
          note: null,
        },
  );
  return created;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles admitted; a route without it is public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    caller: { id: string; name: string; role: Role } | null;
  }
}

export const KEY_SHAPE = /^fw_[A-Za-z0-9_-]{43}$/;

/** Bearer tokens: HS256 with a shared secret, or RS256/ES256 against a JWKS; the `role` claim names the role. */
export interface JwtConfig {
  secret?: string;
  jwks?: JSONWebKeySet;
  issuer?: string;
  audience?: string;
  /** Longest lifetime accepted, seconds: `exp - iat` (or `exp - now` without `iat`). Default 24 h. */
  maxLifetimeSeconds?: number;
}

export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 24 * 3600;

async function callerFromJwt(token: string, jwt: JwtConfig, verifyKey: Uint8Array | JWTVerifyGetKey) {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, verifyKey as Uint8Array, {
      algorithms: jwt.secret ? ['HS256'] : ['RS256', 'ES256'],
      issuer: jwt.issuer,
      audience: jwt.audience,
      // A token without exp would be accepted forever; without sub there is no one to name in the audit trail.
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (e) {
    throw new ApiError(401, 'unauthorized', `bearer token rejected: ${(e as Error).message}`);
  }
  const maxLifetime = jwt.maxLifetimeSeconds ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;
  const issued = typeof payload.iat === 'number' ? payload.iat : Date.now() / 1000;
  if (payload.exp! - issued > maxLifetime) {
    throw new ApiError(
      401,
      'unauthorized',
      `bearer token rejected: lives longer than JWT_MAX_LIFETIME (${maxLifetime} s) allows`,
    );
  }
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') {
    throw new ApiError(401, 'unauthorized', 'bearer token rejected: "sub" claim must be a non-empty string');
  }
  const role = payload.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new ApiError(401, 'unauthorized', `bearer token needs a role claim (${ROLES.join(', ')})`);
  }
  // The id keeps token subjects apart from key ids (the rate limit counts per id).
  return { id: `jwt:${sub}`, name: sub, role: role as Role };
}

/** Keys looked up in the last few seconds are not looked up again; a revocation takes effect within this time. */
const KEY_CACHE_MS = 5000;
const KEY_CACHE_SIZE = 10_000;

export interface AuthHooks {
  /** Called once per request on a route with roles, when the caller is known (or refused): the rate limit. */
  count?: (request: FastifyRequest, reply: FastifyReply) => void;
  /** Called when a presented key or token is refused (not when none was presented): the audit trail. */
  refused?: (request: FastifyRequest, reason: string) => void;
}

export function registerAuth(
  app: FastifyInstance,
  store: DecisionStore,
  jwt?: JwtConfig,
  hooks: AuthHooks = {},
): void {
  const countRequest = hooks.count ?? (() => undefined);
  app.decorateRequest('caller', null);
  const keyCache = new Map<string, { record: ApiKeyRecord | null; until: number }>();
  const verifyKey = jwt?.secret
    ? new TextEncoder().encode(jwt.secret)
    : jwt?.jwks
      ? createLocalJWKSet(jwt.jwks)
      : null;

  const identify = async (request: FastifyRequest): Promise<void> => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ') && jwt !== undefined && verifyKey !== null) {
      request.caller = await callerFromJwt(authorization.slice(7).trim(), jwt, verifyKey);
      return;
    }
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '')
      throw new ApiError(401, 'unauthorized', 'X-API-Key header is required');
    if (!KEY_SHAPE.test(key)) throw new ApiError(401, 'unauthorized', 'X-API-Key is not a valid key');
    const hash = hashKey(key);
    const cached = keyCache.get(hash);
    let record: ApiKeyRecord | null;
    if (cached !== undefined && cached.until > Date.now()) {
      record = cached.record;
    } else {
      record = await store.findApiKey(hash);
      if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
      keyCache.set(hash, { record, until: Date.now() + KEY_CACHE_MS });
    }
    // The lookup is by hash; the comparison after it is constant-time all the same.
    if (record === null || !timingSafeEqual(Buffer.from(record.key_hash, 'hex'), Buffer.from(hash, 'hex'))) {
      throw new ApiError(401, 'unauthorized', 'X-API-Key is not a valid key');
    }
    const now = Date.now();
    if (record.revoked_at !== null && record.revoked_at <= now)
      throw new ApiError(401, 'unauthorized', 'X-API-Key has been revoked');
    if (record.expires_at != null && record.expires_at <= now)
      throw new ApiError(401, 'unauthorized', 'X-API-Key has expired');
    request.caller = { id: record.id, name: record.name, role: record.role };
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    try {
      await identify(request);
    } catch (e) {
      const presented =
        request.headers['x-api-key'] !== undefined || request.headers.authorization !== undefined;
      if (presented && e instanceof ApiError) hooks.refused?.(request, e.message);
      // A refused credential counts against the address; once that budget is spent the answer is a 429.
      countRequest(request, reply);
      throw e;
    }
    countRequest(request, reply);
    const caller = request.caller!;
    if (!roles.includes(caller.role)) {
      throw new ApiError(
        403,
        'forbidden',
        `role ${caller.role} may not ${request.method} ${request.routeOptions.url}`,
      );
    }
  });
}

/** Route x role: who may call what (docs/security.md prints the same table). */
export const ROUTE_ROLES = {
  submitTransaction: ['service', 'admin'],
  readTransaction: ['service', 'analyst', 'admin', 'auditor'],
  readQueue: ['analyst', 'admin', 'auditor'],
  review: ['analyst', 'admin'],
  readRules: ['analyst', 'admin', 'auditor'],
  editRules: ['analyst', 'admin'],
  snoozeRules: ['analyst', 'admin'],
  publishRules: ['admin'],
  changeSettings: ['admin'],
  readAudit: ['analyst', 'admin', 'auditor'],
  readOverview: ['analyst', 'admin', 'auditor'],
  dryRunRules: ['analyst', 'admin', 'auditor'],
  whoAmI: ['service', 'analyst', 'admin', 'auditor'],
  readModels: ['analyst', 'admin', 'auditor'],
  readReports: ['analyst', 'admin', 'auditor'],
  manageModels: ['admin'],
  recordLabels: ['service', 'admin'],
  readWebhooks: ['admin', 'auditor'],
  manageWebhooks: ['admin'],
  readQueues: ['analyst', 'admin', 'auditor'],
  manageQueues: ['admin'],
  readCases: ['analyst', 'admin', 'auditor'],
  workCases: ['analyst', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
