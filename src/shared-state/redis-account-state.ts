/**
 * Per-account feature state shared through Redis, so several processes (stream workers, HTTP servers) score an
 * account on the same history. A batch leases its accounts: each is locked (SET NX PX, a token per lease), its
 * block is loaded into the engine's arena (AccountArena.restore), the batch is scored, and the blocks are written
 * back and the locks released (compare-and-delete in Lua) in one pipelined round trip each way. Two processes
 * never hold the same account at once, so no update is lost. When Redis cannot be reached the lease says so:
 * the caller scores those accounts on fresh state and marks the decisions degraded, and the next lease tries
 * Redis again, so recovery needs no one. Blocks expire 31 days after their last write (their windows are empty by
 * then), so Redis holds the active accounts only.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { ACCOUNT_IDLE_MS, type AccountArena } from '../engine/features/account-arena.ts';

export interface AccountLease {
  /** False when Redis was unreachable: the accounts were reset to fresh state and must not be written back. */
  readonly available: boolean;
  /**
   * Writes the accounts' new state back (when available) and releases the locks. Resolves to the number of
   * accounts whose lock had been lost (expired while this process could not renew it, then taken by another):
   * their state is not written, so it cannot overwrite the newer holder's.
   */
  release(): Promise<number>;
}

export interface SharedAccountState {
  lease(accountIds: readonly string[]): Promise<AccountLease>;
  /** Is Redis reachable now (for /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends a lock this lease still holds. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/**
 * Writes the block with a time to live of ARGV[3] ms (or deletes it when ARGV[2] is empty) and unlocks, only while
 * the lock is still this lease's: 1 done, 0 the lock was lost.
 */
const WRITE_AND_UNLOCK = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('del', KEYS[2]) else redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
redis.call('del', KEYS[1])
return 1`;

export interface RedisStateOptions {
  url: string;
  /** Key prefix, so deployments (and test runs) can share a server. */
  prefix?: string;
  /** A lock outlives a crashed holder by this much, then expires. */
  lockMs?: number;
  /** Give up waiting for a lock held by another process after this long (the lease is then unavailable). */
  waitMs?: number;
  /**
   * An account's block expires this long after its last write. Default ACCOUNT_IDLE_MS (31 days): by then every
   * window is empty, and the engine evicts such an account from memory too.
   */
  blockTtlMs?: number;
}

export class RedisAccountState implements SharedAccountState {
  private readonly client: RedisClientType;
  private readonly prefix: string;
  private readonly lockMs: number;
  private readonly waitMs: number;
  private readonly blockTtl: string;
  private connecting: Promise<unknown> | null = null;

  constructor(
    private readonly arena: AccountArena,
    options: RedisStateOptions,
  ) {
    this.prefix = options.prefix ?? 'fraudwatch';
    this.lockMs = options.lockMs ?? 5000;
    this.waitMs = options.waitMs ?? 6000;
    this.blockTtl = String(options.blockTtlMs ?? ACCOUNT_IDLE_MS);
    this.client = createClient({
      url: options.url,
      // Fail at once while disconnected (decisions go on, degraded) instead of queueing commands without bound.
      disableOfflineQueue: true,
      socket: { connectTimeout: 1000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    });
    this.client.on('error', () => undefined); // reported through lease().available and ping()
  }

  private ready(): Promise<unknown> {
    if (this.client.isReady) return Promise.resolve();
    this.connecting ??= this.client.connect().catch((e) => {
      this.connecting = null;
      throw e;
    });
    return this.connecting;
  }

  private blockKey(id: string): string {
    return `${this.prefix}:account:${id}`;
  }

  private lockKey(id: string): string {
    return `${this.prefix}:lock:${id}`;
  }

  async ping(): Promise<boolean> {
    try {
      await this.ready();
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async lease(accountIds: readonly string[]): Promise<AccountLease> {
    const ids = [...new Set(accountIds)];
    const token = randomUUID();
    const held: string[] = [];
    const unavailable = (): AccountLease => {
      for (const id of ids) this.arena.reset(id);
      void this.unlock(held, token).catch(() => undefined);
      return { available: false, release: async () => 0 };
    };
    try {
      await this.ready();
      let waiting = ids;
      const deadline = Date.now() + this.waitMs;
      while (waiting.length > 0) {
        const answers = await Promise.all(
          waiting.map((id) =>
            this.client.set(this.lockKey(id), token, {
              condition: 'NX',
              expiration: { type: 'PX', value: this.lockMs },
            }),
          ),
        );
        const still: string[] = [];
        waiting.forEach((id, i) => (answers[i] === 'OK' ? held.push(id) : still.push(id)));
        waiting = still;
        if (waiting.length > 0) {
          if (Date.now() > deadline) return unavailable();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
      const blocks = await this.client.mGet(ids.map((id) => this.blockKey(id)));
      ids.forEach((id, i) => {
        const block = blocks[i];
        if (block === null || block === undefined) this.arena.reset(id);
        else {
          // Copied into a buffer of its own: a decoded Buffer may sit at an offset not aligned to 4 bytes.
          const bytes = Uint8Array.from(Buffer.from(block, 'base64'));
          this.arena.restore(id, new Uint32Array(bytes.buffer));
        }
      });
    } catch {
      return unavailable();
    }
    // A lease may be held for as long as its decisions take to be stored; the locks are renewed meanwhile, so
    // they expire only when this process is gone (or cannot reach Redis for lockMs).
    const renewal = setInterval(
      () => {
        for (const id of held)
          void this.client
            .eval(RENEW, { keys: [this.lockKey(id)], arguments: [token, String(this.lockMs)] })
            .catch(() => undefined);
      },
      Math.max(10, Math.floor(this.lockMs / 3)),
    );
    renewal.unref();
    return {
      available: true,
      release: async () => {
        clearInterval(renewal);
        const answers = await Promise.all(
          ids.map((id) => {
            const words = this.arena.snapshot(id);
            const block =
              words === null
                ? ''
                : Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('base64');
            return this.client.eval(WRITE_AND_UNLOCK, {
              keys: [this.lockKey(id), this.blockKey(id)],
              arguments: [token, block, this.blockTtl],
            });
          }),
        );
        return answers.filter((a) => a !== 1).length;
      },
    };
  }

  private async unlock(ids: string[], token: string): Promise<void> {
    if (ids.length === 0 || !this.client.isReady) return;
    await Promise.all(
      ids.map((id) => this.client.eval(UNLOCK, { keys: [this.lockKey(id)], arguments: [token] })),
    );
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
  }
}
