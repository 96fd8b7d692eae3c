/**
 * Requests per minute in fixed windows, counted for who a request has been shown to be: an authenticated caller
 * (its API key, or its token's subject) has a budget of its own; everything else (no credential, a credential
 * that was refused, the public routes) counts against the client's address (an IPv6 address by its /64, the
 * block one subscriber gets). A made-up key therefore never gets a budget, and cannot evict one: the two kinds of
 * counters are kept apart, each bounded by forgetting its least recently used caller (WindowCounters), never by
 * starting all counts over. Probes (`exempt`) are never limited, so a busy client cannot fail the orchestrator's
 * liveness checks. Past the limit a request gets 429 with `Retry-After`; responses carry `x-ratelimit-*`.
 *
 * Why not @fastify/rate-limit: it counts before authentication (by whatever key the request claims), and it is
 * a store abstraction, a promise and a timer per key for what is a counter in a Map.
 */
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';
import { WindowCounters } from './window-counters.ts';

export interface RateLimitOptions {
  /** Requests a window per authenticated caller. */
  perCaller: number;
  /** Requests a window per client address, for requests no caller was authenticated for. */
  perAddress: number;
  windowMs: number;
  /** Route URLs (as registered) never limited: health probes, the metrics scrape. */
  exempt?: readonly string[];
  /** Counters kept per kind (callers, addresses) at most; default 100,000 each (about 20 MB in all). */
  maxCounters?: number;
  now?: () => number;
}

export interface RateLimiter {
  /**
   * Counts a request that authentication has dealt with: against `request.caller` when it is set, against the
   * address otherwise. Throws the 429 when the budget is spent.
   */
  count(request: FastifyRequest, reply: FastifyReply): void;
  /** Counters held now, per kind (for tests and the memory bound). */
  sizes(): { callers: number; addresses: number };
}

/** The address a budget belongs to: IPv4 as is (also when mapped into IPv6), IPv6 by its first 64 bits. */
export function addressBudgetKey(ip: string): string {
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  const bare = ip.split('%')[0]!; // a zone index names the interface, not the peer
  if (!isIPv6(bare)) return ip;
  const [head, tail] = bare.split('::') as [string, string | undefined];
  const first = head === '' ? [] : head.split(':');
  const last = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? first
      : [...first, ...new Array<string>(8 - first.length - last.length).fill('0'), ...last];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Limits the public routes itself (authentication does not look at them) and returns the limiter that the
 * authentication hook calls for every other route once it knows who is calling.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const capacity = options.maxCounters ?? 100_000;
  const callers = new WindowCounters(options.windowMs, capacity);
  const addresses = new WindowCounters(options.windowMs, capacity);
  const exempt = new Set(options.exempt ?? []);

  const count = (request: FastifyRequest, reply: FastifyReply): void => {
    const at = now();
    const caller = request.caller ?? null; // undefined where no authentication is registered
    const max = caller !== null ? options.perCaller : options.perAddress;
    const { count: used, windowEnd } =
      caller !== null ? callers.hit(caller.id, at) : addresses.hit(addressBudgetKey(request.ip), at);
    const resetSeconds = String(Math.max(1, Math.ceil((windowEnd - at) / 1000)));
    reply.header('x-ratelimit-limit', String(max));
    reply.header('x-ratelimit-remaining', String(Math.max(0, max - used)));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (used <= max) return;
    reply.header('retry-after', resetSeconds);
    const per = caller !== null ? 'for this caller' : 'from this address without a valid key';
    throw new ApiError(
      429,
      'rate_limited',
      `more than ${max} requests a minute ${per}; retry in ${resetSeconds} s`,
    );
  };

  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions;
    if (route.url !== undefined && exempt.has(route.url)) return done();
    if (route.config.roles !== undefined) return done(); // authentication counts these
    try {
      count(request, reply);
      done();
    } catch (e) {
      done(e as Error);
    }
  });

  return { count, sizes: () => ({ callers: callers.size, addresses: addresses.size }) };
}
