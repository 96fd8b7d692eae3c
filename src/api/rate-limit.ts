/**
 * Requests per minute per caller (its API key, or its address without one), counted in fixed windows: every
 * counter starts again at the window's end. Past the limit a request gets 429 with `Retry-After` (seconds to the
 * window's end). Each response says the limit, what is left and when the window ends (`x-ratelimit-*`).
 *
 * The hook runs before authentication, so callers are whatever requests claim to be: past `maxKeys` callers in
 * one window the counts start over, which keeps memory bounded when a flood makes up callers, and lets requests
 * through rather than refusing every caller the flood has not seen.
 *
 * Why not @fastify/rate-limit: a store abstraction, a promise and a timer per key, for what is a counter in a
 * Map.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  keyOf: (request: FastifyRequest) => string;
  /** Counters kept in one window at most; default 100,000 (about 14 MB of API keys). */
  maxKeys?: number;
  now?: () => number;
}

export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): void {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const limit = String(options.max);
  let counts = new Map<string, number>();
  let windowEnd = 0;
  app.addHook('onRequest', (request, reply, done) => {
    const at = now();
    if (at >= windowEnd) {
      counts = new Map();
      windowEnd = at + options.windowMs;
    }
    const key = options.keyOf(request);
    const count = (counts.get(key) ?? 0) + 1;
    if (count === 1 && counts.size >= maxKeys) counts = new Map();
    counts.set(key, count);
    const resetSeconds = String(Math.max(1, Math.ceil((windowEnd - at) / 1000)));
    reply.header('x-ratelimit-limit', limit);
    reply.header('x-ratelimit-remaining', String(Math.max(0, options.max - count)));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (count <= options.max) {
      done();
      return;
    }
    reply.header('retry-after', resetSeconds);
    done(
      new ApiError(429, 'rate_limited', `more than ${limit} requests a minute; retry in ${resetSeconds} s`),
    );
  });
}
