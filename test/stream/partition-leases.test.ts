/**
 * The lease protocol against a real NATS JetStream key-value bucket, with a short TTL so partitions move within
 * seconds. The owners here only record which partitions they were given; the full path (workers deciding while
 * partitions move) is in rebalance.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connectStream, type StreamConnection } from '../../src/stream/nats-connection.ts';
import {
  LeaseConflict,
  leaseBucketName,
  PartitionLeases,
  type LeaseEvent,
  type PartitionOwner,
} from '../../src/stream/partition-leases.ts';
import type { StreamConfig } from '../../src/stream/stream-config.ts';
import { Kvm } from '@nats-io/kv';
import { openStream, removeStreams, testConfig, waitFor } from './stream-fixture.ts';

const TTL_MS = 900;

/** Records the partitions it pulls; two owners holding one partition at once is a failure of the protocol. */
class RecordingOwner implements PartitionOwner {
  readonly pulled = new Set<number>();
  constructor(private readonly everyone: Map<number, RecordingOwner>) {}
  async addPartition(p: number): Promise<void> {
    const other = this.everyone.get(p);
    assert.ok(other === undefined, `partition ${p} started while another worker pulls it`);
    this.everyone.set(p, this);
    this.pulled.add(p);
  }
  async removePartition(p: number): Promise<void> {
    if (this.everyone.get(p) === this) this.everyone.delete(p);
    this.pulled.delete(p);
  }
}

interface Node {
  leases: PartitionLeases;
  owner: RecordingOwner;
  connection: StreamConnection;
}

async function node(
  config: StreamConfig,
  everyone: Map<number, RecordingOwner>,
  events: LeaseEvent[],
  fixed?: number[],
): Promise<Node> {
  const connection = await connectStream(config, { ackWaitMs: 1000 });
  const owner = new RecordingOwner(everyone);
  const leases = await PartitionLeases.open(connection.js, connection.jsm, config, owner, {
    ttlMs: TTL_MS,
    fixed,
    onEvent: (e) => events.push(e),
  });
  return { leases, owner, connection };
}

async function open(t: TestContext, partitions: number) {
  const config = testConfig(partitions);
  const admin = await openStream(t, config, 1000);
  return admin === null ? null : { config, admin };
}

const sizes = (nodes: Node[]) => nodes.map((n) => n.owner.pulled.size);

test('workers share the partitions evenly and exclusively; a joining worker gets its share; a stopped one gives its back', async (t) => {
  const setup = await open(t, 8);
  if (setup === null) return;
  const { config, admin } = setup;
  const everyone = new Map<number, RecordingOwner>();
  const events: LeaseEvent[] = [];
  const nodes: Node[] = [];
  try {
    nodes.push(await node(config, everyone, events));
    await nodes[0]!.leases.start();
    await waitFor('one worker holds all 8', () => nodes[0]!.owner.pulled.size === 8, 10_000);

    nodes.push(await node(config, everyone, events));
    await nodes[1]!.leases.start();
    await waitFor(`4 and 4 (${sizes(nodes)})`, () => sizes(nodes).join() === '4,4', 15_000);

    nodes.push(await node(config, everyone, events));
    await nodes[2]!.leases.start();
    await waitFor(
      `3, 3 and 2 (${sizes(nodes)})`,
      () => [...sizes(nodes)].sort().join() === '2,3,3' && everyone.size === 8,
      15_000,
    );

    // A clean stop frees the leases at once (no TTL to wait for): the two left take them.
    const stopped = nodes.pop()!;
    await stopped.leases.stop();
    await stopped.connection.close();
    await waitFor(`4 and 4 again (${sizes(nodes)})`, () => sizes(nodes).join() === '4,4', 15_000);
    assert.equal(everyone.size, 8);
    // Every start came after the previous owner's stop.
    const byPartition = new Map<number, LeaseEvent[]>();
    for (const e of events) byPartition.set(e.partition, [...(byPartition.get(e.partition) ?? []), e]);
    for (const [p, list] of byPartition) {
      for (let i = 0; i < list.length; i++)
        assert.equal(
          list[i]!.kind,
          i % 2 === 0 ? 'started' : 'stopped',
          `partition ${p}: ${JSON.stringify(list)}`,
        );
    }
  } finally {
    for (const n of nodes) {
      await n.leases.stop();
      await n.connection.close();
    }
    await removeStreams(admin, config);
  }
});

test('a worker that dies (its connection gone) loses its partitions to the others after the TTL, not before', async (t) => {
  const setup = await open(t, 4);
  if (setup === null) return;
  const { config, admin } = setup;
  const everyone = new Map<number, RecordingOwner>();
  const events: LeaseEvent[] = [];
  const survivor = await node(config, everyone, events);
  const doomed = await node(config, everyone, events);
  try {
    await survivor.leases.start();
    await waitFor('survivor holds 4', () => survivor.owner.pulled.size === 4, 10_000);
    await doomed.leases.start();
    await waitFor(`2 and 2`, () => sizes([survivor, doomed]).join() === '2,2', 15_000);
    const lost = [...doomed.owner.pulled];
    // Abrupt: no release, no heartbeat removal; the bucket keeps its leases until they expire.
    await doomed.connection.nc.close();
    const died = Date.now();
    await waitFor('the dead worker stopped pulling', () => doomed.owner.pulled.size === 0, 5000);
    await waitFor('survivor holds 4 again', () => survivor.owner.pulled.size === 4, 15_000);
    for (const p of lost) {
      const took = events.find((e) => e.partition === p && e.kind === 'started' && e.at > died);
      assert.ok(took !== undefined && took.worker === survivor.leases.workerId, `partition ${p} moved`);
      assert.ok(
        took.at - died >= TTL_MS / 3,
        `partition ${p} waited for the lease to expire (${took.at - died} ms)`,
      );
    }
  } finally {
    await survivor.leases.stop();
    await survivor.connection.close();
    await doomed.leases.stop().catch(() => undefined);
    await removeStreams(admin, config);
  }
});

test('a lease renewal that fails stops the partition before the lease could expire', async (t) => {
  const setup = await open(t, 2);
  if (setup === null) return;
  const { config, admin } = setup;
  const everyone = new Map<number, RecordingOwner>();
  const events: LeaseEvent[] = [];
  const worker = await node(config, everyone, events);
  try {
    await worker.leases.start();
    await waitFor('worker holds 2', () => worker.owner.pulled.size === 2, 10_000);
    // Someone else writes partition 1's lease (as if ours had expired and been taken): our next renewal fails.
    const kv = await new Kvm(admin.js).open(leaseBucketName(config));
    const overwritten = Date.now();
    await kv.put('partition.1', JSON.stringify({ worker: 'intruder' }));
    await waitFor('partition 1 stopped', () => !worker.owner.pulled.has(1), 5000);
    const stop = events.find((e) => e.partition === 1 && e.kind === 'stopped')!;
    assert.ok(stop.at - overwritten < TTL_MS, `stopped ${stop.at - overwritten} ms after losing the lease`);
    assert.match(stop.why ?? '', /renewal failed/);
    assert.ok(worker.owner.pulled.has(0), 'partition 0 is still renewed and pulled');
    // The intruder's lease is never overwritten: it stays until it expires, then partition 1 comes back.
    assert.equal(JSON.parse((await kv.get('partition.1'))!.string()).worker, 'intruder');
    await waitFor(
      'partition 1 back after the intruder lease expired',
      () => worker.owner.pulled.has(1),
      10_000,
    );
  } finally {
    await worker.leases.stop();
    await worker.connection.close();
    await removeStreams(admin, config);
  }
});

test('a fixed share (--index/--workers) that overlaps a lease held by another worker is refused, naming it', async (t) => {
  const setup = await open(t, 4);
  if (setup === null) return;
  const { config, admin } = setup;
  const everyone = new Map<number, RecordingOwner>();
  const events: LeaseEvent[] = [];
  const automatic = await node(config, everyone, events);
  const fixed = await node(config, everyone, events, [1, 3]);
  try {
    await automatic.leases.start();
    await waitFor('automatic worker holds 4', () => automatic.owner.pulled.size === 4, 10_000);
    await assert.rejects(fixed.leases.start(), (e: Error) => {
      assert.ok(e instanceof LeaseConflict);
      assert.match(
        e.message,
        new RegExp(`partitions 1 \\(held by worker ${automatic.leases.workerId}\\), 3 `),
      );
      return true;
    });
    assert.equal(fixed.owner.pulled.size, 0, 'the refused worker pulls nothing');
    assert.equal(automatic.owner.pulled.size, 4);

    // Once the partitions are free, the fixed share takes exactly its own and the automatic worker the rest.
    await automatic.leases.stop();
    const again = await node(config, everyone, events, [1, 3]);
    await again.leases.start();
    await waitFor('fixed share pulls 1 and 3', () => [...again.owner.pulled].sort().join() === '1,3', 5000);
    await again.leases.stop();
    await again.connection.close();
  } finally {
    await automatic.leases.stop();
    await automatic.connection.close();
    await fixed.connection.close();
    await removeStreams(admin, config);
  }
});
