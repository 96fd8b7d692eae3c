/**
 * Exclusive, automatic partition ownership through leases in a NATS JetStream key-value bucket
 * (`<PREFIX>_LEASES`, docs/streaming.md "Partition leases"). The bucket's TTL is the lease's: a key not written
 * for that long disappears.
 *
 * - `partition.<p>` is the lease of partition p. A worker takes a free one with a create-if-absent put, renews it
 *   every third of the TTL with an update that names the revision it last wrote (so a lease someone else holds
 *   is never overwritten), and deletes it (again revision-checked) when it hands the partition over or stops.
 * - `worker.<id>` is each worker's heartbeat, written at every renewal. The live workers are the heartbeats
 *   present; a worker takes at most ceil(partitions / live workers), so a worker that joins gets partitions: a
 *   holder with more than its share hands one over per renewal.
 * - A renewal that fails (someone else holds the lease, or NATS did not answer in time) stops the partition at
 *   once, well before the lease could have expired, so two workers never decide one partition. A worker that
 *   dies stops renewing; its leases expire after the TTL and the others take them.
 * - A partition is pulled only once its durable consumer has no delivery left in flight from the previous owner
 *   (those are redelivered first, after the ack wait), so an account's transactions stay in order.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { streamNames, type StreamConfig } from './stream-config.ts';

export const DEFAULT_LEASE_TTL_MS = 10_000;

/** What a lease moves: the worker's pulls. */
export interface PartitionOwner {
  addPartition(partition: number): Promise<void>;
  /** Resolves once every message of the partition received so far is settled. */
  removePartition(partition: number): Promise<void>;
}

export interface LeaseEvent {
  /** started: pulling began; stopped: pulling ended and what was received is settled. */
  kind: 'started' | 'stopped';
  partition: number;
  worker: string;
  at: number;
  why?: string;
}

export interface PartitionLeaseOptions {
  /** The TTL the bucket is created with (an existing bucket keeps its own; renewals follow the bucket's). */
  ttlMs?: number;
  /** Exactly these partitions (the static `--index/--workers` override): taken only if free, never handed over. */
  fixed?: number[];
  workerId?: string;
  log?: (line: string) => void;
  onEvent?: (event: LeaseEvent) => void;
}

/** A static assignment that overlaps partitions leased by other workers. */
export class LeaseConflict extends Error {
  constructor(readonly held: { partition: number; worker: string }[]) {
    super(
      `partition${held.length > 1 ? 's' : ''} ${held.map((h) => `${h.partition} (held by worker ${h.worker})`).join(', ')} already leased: stop that worker or choose other --index/--workers`,
    );
    this.name = 'LeaseConflict';
  }
}

interface Held {
  revision: number;
  /** When the last write that succeeded was sent: the lease lasts at least the TTL from then. */
  renewedAt: number;
  /** joining: waiting for the previous owner's deliveries; active: pulled; leaving: being handed over. */
  state: 'joining' | 'active' | 'leaving';
}

const partitionKey = (p: number) => `partition.${p}`;
const workerKey = (id: string) => `worker.${id}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function leaseBucketName(config: StreamConfig): string {
  return `${streamNames(config).transactions.replace(/_TRANSACTIONS$/, '')}_LEASES`;
}

export function newWorkerId(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class PartitionLeases {
  readonly workerId: string;
  private readonly held = new Map<number, Held>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private readonly settling = new Set<Promise<void>>();
  /** Partitions whose pull is being stopped: not claimed again until that is done. */
  private readonly draining = new Set<number>();
  private readonly log: (line: string) => void;
  private readonly names;

  private constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly config: StreamConfig,
    private readonly owner: PartitionOwner,
    /** The bucket's TTL: leases renew every third of it, and each request may take a sixth. */
    readonly ttlMs: number,
    private readonly options: PartitionLeaseOptions,
  ) {
    this.workerId = options.workerId ?? newWorkerId();
    this.log = options.log ?? (() => undefined);
    this.names = streamNames(config);
  }

  /** Opens (creating it if needed) the lease bucket. Call `start` to take partitions. */
  static async open(
    js: JetStreamClient,
    jsm: JetStreamManager,
    config: StreamConfig,
    owner: PartitionOwner,
    options: PartitionLeaseOptions = {},
  ): Promise<PartitionLeases> {
    const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const kv = await new Kvm(js).create(leaseBucketName(config), {
      history: 1,
      ttl: ttlMs,
      // No request may hold up a renewal round for long.
      timeout: Math.max(50, Math.floor(ttlMs / 6)),
    });
    const ttl = (await kv.status()).ttl || (options.ttlMs ?? DEFAULT_LEASE_TTL_MS);
    return new PartitionLeases(kv, jsm, config, owner, ttl, options);
  }

  private get renewEveryMs(): number {
    return Math.max(20, Math.floor(this.ttlMs / 3));
  }

  private get requestTimeoutMs(): number {
    return Math.max(50, Math.floor(this.ttlMs / 6));
  }

  /** Partitions leased by this worker now (including those still joining or being handed over). */
  get partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * Heartbeat, then the first claim. With fixed partitions, any of them still leased by another worker after a
   * TTL (a worker killed just before, perhaps this one's previous run, has let go by then; a live one renews)
   * refuses the start (LeaseConflict) and releases what was taken.
   */
  async start(): Promise<void> {
    if (this.options.fixed !== undefined) {
      const deadline = Date.now() + this.ttlMs + this.renewEveryMs;
      while (Date.now() < deadline && !(await this.allFree(this.options.fixed)))
        await sleep(this.renewEveryMs);
      // Claimed before the first heartbeat: a refused worker never counts as live, so nobody hands it anything.
      const conflicts: { partition: number; worker: string }[] = [];
      for (const p of this.options.fixed) {
        if (!(await this.claim(p))) conflicts.push({ partition: p, worker: await this.holderOf(p) });
      }
      if (conflicts.length > 0) {
        await this.stop();
        throw new LeaseConflict(conflicts);
      }
      await this.heartbeat();
    } else {
      await this.heartbeat();
      await this.balance();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule();
      });
    }, this.renewEveryMs);
  }

  private async tick(): Promise<void> {
    try {
      await this.renew();
      await this.heartbeat();
      if (this.stopped) return;
      if (this.options.fixed !== undefined) {
        for (const p of this.options.fixed) if (!this.held.has(p)) await this.claim(p);
      } else await this.balance();
    } catch (e) {
      // NATS unreachable: held leases were stopped by the renewal; the next round tries again.
      this.log(`lease round failed: ${(e as Error).message}`);
    }
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.kv.put(workerKey(this.workerId), JSON.stringify({ partitions: this.partitions }), {
        timeout: this.requestTimeoutMs,
      });
    } catch (e) {
      this.log(`lease heartbeat failed: ${(e as Error).message}`);
    }
  }

  /**
   * Renews every held lease; a failed renewal stops that partition now, long before the lease expires. So does a
   * round that comes too late (the event loop or an earlier round held it up): the lease may be about to expire.
   */
  private async renew(): Promise<void> {
    const value = this.leaseValue();
    await Promise.all(
      [...this.held].map(async ([p, held]) => {
        const sentAt = Date.now();
        try {
          if (sentAt - held.renewedAt > (this.ttlMs * 2) / 3)
            throw new Error(`${sentAt - held.renewedAt} ms since the last renewal`);
          held.revision = await this.kv.update(partitionKey(p), value, held.revision, this.requestTimeoutMs);
          held.renewedAt = sentAt;
        } catch (e) {
          this.held.delete(p);
          const why = `renewal failed: ${(e as Error).message}`;
          this.log(`partition ${p}: ${why}; stopping it`);
          if (held.state === 'active') this.settle(this.stopPulling(p, why));
          // joining: its start sees it is no longer held; leaving: already stopping.
        }
      }),
    );
  }

  /** Takes free partitions up to this worker's share; hands one over when it holds more. */
  private async balance(): Promise<void> {
    const live = await this.liveWorkers();
    const share = Math.ceil(this.config.partitions / Math.max(1, live));
    const kept = [...this.held].filter(([, h]) => h.state !== 'leaving');
    if (kept.length > share) {
      // Only a partition being pulled is handed over: one still joining is settling its start.
      const active = kept.filter(([, h]) => h.state === 'active');
      if (active.length > 0) this.settle(this.handOver(active[active.length - 1]![0]));
      return;
    }
    if (kept.length === share) return;
    const taken = new Set(await this.keys('partition.*'));
    const free: number[] = [];
    // Each worker starts looking at a place of its own, so joining workers rarely race for one partition.
    const offset = Number.parseInt(this.workerId.slice(-6), 16) % this.config.partitions || 0;
    for (let i = 0; i < this.config.partitions; i++) {
      const p = (offset + i) % this.config.partitions;
      if (!taken.has(partitionKey(p)) && !this.held.has(p)) free.push(p);
    }
    let wanted = share - kept.length;
    for (const p of free) {
      if (wanted === 0 || this.stopped) break;
      if (await this.claim(p)) wanted--;
    }
  }

  /** Create-if-absent; on success the partition starts once the previous owner's deliveries are settled. */
  private async claim(p: number): Promise<boolean> {
    if (this.draining.has(p)) return false;
    let revision: number;
    const sentAt = Date.now();
    try {
      revision = await this.kv.create(partitionKey(p), this.leaseValue());
    } catch {
      return false; // leased by another worker (or NATS did not answer: the next round tries again)
    }
    const held: Held = { revision, renewedAt: sentAt, state: 'joining' };
    this.held.set(p, held);
    this.settle(this.startPulling(p, held));
    return true;
  }

  private async startPulling(p: number, held: Held): Promise<void> {
    try {
      await this.waitForPreviousDeliveries(p, held);
      if (this.held.get(p) !== held || this.stopped) return;
      await this.owner.addPartition(p);
      held.state = 'active';
      this.emit('started', p);
      // Lost while the pull was being bound: stop it again.
      if (this.held.get(p) !== held) await this.stopPulling(p, 'lease lost while starting');
    } catch (e) {
      this.log(`partition ${p}: could not start pulling: ${(e as Error).message}`);
      await this.release(p, held);
    }
  }

  /**
   * Messages the previous owner was sent but never settled (it died, or they were on the wire when it let go)
   * are redelivered after the ack wait, before any newer message. Pulling earlier would decide newer transactions
   * of an account before older ones, so a partition with deliveries in flight waits out the ack wait first.
   */
  private async waitForPreviousDeliveries(p: number, held: Held): Promise<void> {
    const info = await this.jsm.consumers.info(this.names.transactions, this.names.consumer(p));
    if (info.num_ack_pending === 0) return;
    const ackWaitMs = Math.ceil((info.config.ack_wait ?? 30e9) / 1e6);
    this.log(
      `partition ${p}: ${info.num_ack_pending} deliveries of the previous owner in flight; starting after the ack wait (${ackWaitMs} ms)`,
    );
    const until = Date.now() + ackWaitMs + 100;
    while (Date.now() < until && this.held.get(p) === held && !this.stopped) await sleep(50);
  }

  private async stopPulling(p: number, why: string): Promise<void> {
    this.draining.add(p);
    try {
      await this.owner.removePartition(p);
    } finally {
      this.draining.delete(p);
    }
    this.emit('stopped', p, why);
  }

  /** Graceful hand-over: stop pulling, settle what was received, then free the lease for the next owner. */
  private async handOver(p: number): Promise<void> {
    const held = this.held.get(p);
    if (held === undefined) return;
    held.state = 'leaving';
    this.log(`partition ${p}: handing over (more than this worker's share)`);
    await this.stopPulling(p, 'handed over');
    await this.release(p, held);
  }

  private async release(p: number, held: Held): Promise<void> {
    if (this.held.get(p) !== held) return; // lost meanwhile: not ours to delete
    this.held.delete(p);
    await this.kv
      .delete(partitionKey(p), { previousSeq: held.revision })
      .catch(() => undefined /* it expires after the TTL */);
  }

  /** Stops renewing, stops pulling every partition, frees the leases and the heartbeat (clean shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    while (this.ticking !== null) await this.ticking;
    while (this.settling.size > 0) await Promise.all([...this.settling]);
    await Promise.all(
      [...this.held].map(async ([p, held]) => {
        if (held.state === 'active') await this.stopPulling(p, 'worker stopped');
        await this.release(p, held);
      }),
    );
    await this.kv.delete(workerKey(this.workerId)).catch(() => undefined);
  }

  private settle(work: Promise<void>): void {
    const tracked = work.catch((e) => this.log(`lease: ${(e as Error).message}`));
    this.settling.add(tracked);
    void tracked.finally(() => this.settling.delete(tracked));
  }

  private async liveWorkers(): Promise<number> {
    return (await this.keys('worker.*')).length;
  }

  private async keys(filter: string): Promise<string[]> {
    const out: string[] = [];
    for await (const key of await this.kv.keys(filter)) out.push(key);
    return out;
  }

  private async allFree(partitions: number[]): Promise<boolean> {
    const taken = new Set(await this.keys('partition.*'));
    return partitions.every((p) => !taken.has(partitionKey(p)));
  }

  private async holderOf(p: number): Promise<string> {
    const entry = await this.kv.get(partitionKey(p)).catch(() => null);
    try {
      return (entry?.json() as { worker?: string } | undefined)?.worker ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  private leaseValue(): string {
    return JSON.stringify({ worker: this.workerId });
  }

  private emit(kind: LeaseEvent['kind'], partition: number, why?: string): void {
    this.options.onEvent?.({ kind, partition, worker: this.workerId, at: Date.now(), why });
  }
}
