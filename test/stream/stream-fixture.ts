/**
 * A real NATS JetStream server (127.0.0.1:4222, or NATS_URL) for the stream tests, with a prefix of its own per
 * test so runs never see each other's streams; missing it is loud, and in CI a failure.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { connectStream, type StreamConnection } from '../../src/stream/nats-connection.ts';
import { leaseBucketName } from '../../src/stream/partition-leases.ts';
import { streamNames, type StreamConfig } from '../../src/stream/stream-config.ts';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let counter = 0;

export function testConfig(partitions = 4): StreamConfig {
  return { url: NATS_URL, prefix: `t${process.pid}x${Date.now().toString(36)}x${counter++}`, partitions };
}

/** Connects, or skips the test loudly (fails it in CI) when NATS is not there. */
export async function openStream(
  t: TestContext,
  config: StreamConfig,
  ackWaitMs = 2000,
): Promise<StreamConnection | null> {
  try {
    return await connectStream(config, { ackWaitMs });
  } catch (e) {
    const why = (e as Error).message;
    if (process.env.CI === 'true') assert.fail(`NATS JetStream is required in CI: ${why}`);
    console.warn(`\n*** stream test SKIPPED: ${why} ***\n`);
    t.skip(why);
    return null;
  }
}

export async function removeStreams(stream: StreamConnection, config: StreamConfig): Promise<void> {
  const names = streamNames(config);
  const leases = `KV_${leaseBucketName(config)}`;
  for (const name of [names.transactions, names.decisions, names.deadLetters, leases]) {
    await stream.jsm.streams.delete(name).catch(() => undefined);
  }
  await stream.close();
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every message body of a stream, in order. */
export async function readStream(stream: StreamConnection, name: string): Promise<string[]> {
  const info = await stream.jsm.streams.info(name);
  const out: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await stream.jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (m) out.push(m.string());
  }
  return out;
}
