/**
 * Stream benchmark with real parts on this machine: NATS JetStream, PostgreSQL, and W `fraudwatch worker`
 * processes (trained models, default rules). Two phases:
 *   throughput: N simulated transactions published first, then the workers started; tps = N / (time from the
 *     first to the last decision published), as stamped by the NATS server;
 *   latency: transactions published at a steady rate the workers keep up with; publish-to-decision latency is
 *     the decision's server timestamp minus its transaction's, both taken from the streams.
 * Prints one JSON line.  Run: npx fraudwatch bench stream --json [--count N] [--workers W] [--redis]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transaction } from '../src/engine/transaction.ts';
import { simulate } from '../src/simulator/index.ts';
import { connectStream } from '../src/stream/nats-connection.ts';
import { leaseBucketName } from '../src/stream/partition-leases.ts';
import { streamNames, type StreamConfig } from '../src/stream/stream-config.ts';
import { publishTransactions } from '../src/stream/transaction-producer.ts';
import { bootstrapModels } from '../src/training/bootstrap-models.ts';
import { createBenchSchema } from './bench-schema.ts';
import { messageTimes, percentile, sortedLatencies, waitForMessages } from './stream-timing.ts';

export interface StreamBenchOptions {
  count: number;
  workers: number;
  partitions: number;
  latencyRate: number;
  latencySeconds: number;
  /** Workers share account state through Redis (REDIS_URL, default 127.0.0.1:6379). */
  redis: boolean;
}

/** The simulated transactions the stream benchmarks publish: `count` of them, ids starting with `idPrefix`. */
export function* traffic(count: number, idPrefix: string, seed: number): Generator<Transaction> {
  let n = 0;
  for (const { tx } of simulate({ accounts: 100_000, days: 3650, seed, idPrefix })) {
    if (n++ === count) return;
    yield tx;
  }
}

export async function runStreamBench(options: StreamBenchOptions) {
  const schema = await createBenchSchema('fraudwatch_stream_bench');
  const config: StreamConfig = {
    url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    prefix: `bench${process.pid}x${Date.now().toString(36)}`,
    partitions: options.partitions,
  };
  const names = streamNames(config);
  const stream = await connectStream(config);
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-stream-bench-'));
  bootstrapModels(join(dataDir, 'models')); // trained once here; every worker loads the same files
  const workers: ChildProcess[] = [];
  try {
    // Phase 1: a backlog of N, then the workers.
    await publishTransactions(stream.js, config, traffic(options.count, 'b1-', 21), { inFlight: 2000 });
    const env = {
      ...process.env,
      DATABASE_URL: schema.url,
      NATS_URL: config.url,
      FRAUDWATCH_STREAM_PREFIX: config.prefix,
      FRAUDWATCH_PARTITIONS: String(config.partitions),
      LOG_LEVEL: 'silent',
      REDIS_URL: options.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
      FRAUDWATCH_REDIS_PREFIX: config.prefix,
    };
    for (let i = 0; i < options.workers; i++) {
      const child = spawn(
        process.execPath,
        [
          'bin/fraudwatch.js',
          'worker',
          '--data-dir',
          dataDir,
          '--index',
          String(i),
          '--workers',
          String(options.workers),
          '--port',
          '0',
          '--batch',
          '1000',
        ],
        { env, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      workers.push(child);
    }
    const drained = await waitForMessages(stream, names.decisions, options.count, 30 * 60_000);
    const first = Date.parse(drained.state.first_ts);
    const last = Date.parse(drained.state.last_ts);
    const tps = options.count / ((last - first) / 1000);

    // Phase 2: a steady rate, for latency.
    const latencyCount = options.latencyRate * options.latencySeconds;
    const txSeq = (await stream.jsm.streams.info(names.transactions)).state.last_seq + 1;
    const decSeq = drained.state.last_seq + 1;
    // Made before the clock starts: the simulator builds its population on the first transaction asked for, and
    // a publisher that starts late catches up in a burst, which the latencies would count as the workers' delay.
    const steady = [...traffic(latencyCount, 'b2-', 22)];
    await publishTransactions(stream.js, config, steady, {
      rate: options.latencyRate,
      inFlight: 100,
    });
    await waitForMessages(stream, names.decisions, options.count + latencyCount, 5 * 60_000);
    const published = await messageTimes(stream, names.transactions, txSeq);
    const decided = await messageTimes(stream, names.decisions, decSeq);
    const latencies = sortedLatencies(published, decided);
    const stored = await schema.countTransactions();
    return {
      bench: 'stream',
      transactions: options.count,
      workers: options.workers,
      partitions: options.partitions,
      redis: options.redis,
      store: 'postgres',
      models: 'trained',
      tps: Math.round(tps),
      latency_rate: options.latencyRate,
      p50_ms: Number(percentile(latencies, 0.5).toFixed(2)),
      p99_ms: Number(percentile(latencies, 0.99).toFixed(2)),
      max_ms: Number(latencies[latencies.length - 1]!.toFixed(2)),
      stored,
      node: process.version,
    };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(
      workers.map(
        (w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve))),
      ),
    );
    const leases = `KV_${leaseBucketName(config)}`;
    for (const name of [names.transactions, names.decisions, names.deadLetters, leases])
      await stream.jsm.streams.delete(name).catch(() => undefined);
    await stream.close();
    await schema.drop();
  }
}
