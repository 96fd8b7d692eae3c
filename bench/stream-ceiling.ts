/**
 * The ceiling of `bench stream` on this machine: the same message flow with the scoring (and, without --pg, the
 * store) taken out, so what is left is what NATS JetStream, the Node.js clients and PostgreSQL cost alone.
 *
 * Same topology as the real workers (src/stream/topology.ts through connectStream: partitioned transaction
 * subjects, one durable pull consumer per partition, worker i of W owning partitions p mod W = i, the
 * MessagePump's batches of --batch), on a stream prefix of its own that is deleted afterwards. Each worker is
 * a child process (bench/stream-ceiling-worker.ts) that JSON.parses every transaction, with --pg does one
 * multi-row INSERT per batch through the real PostgreSQL store, publishes one decision per transaction with an
 * awaited JetStream acknowledgement, then acknowledges the batch. The transactions are the ones `bench stream`
 * publishes (its `traffic`: same seeds and id prefixes), made before any clock starts and published by the same
 * `publishTransactions`.
 *
 * Three phases; the first two are measured exactly as bench/stream.ts measures, so the figures compare:
 *   backlog: N published first (publish_tps = N / publishing wall time), then the workers told to start;
 *     tps = N / (first to last decision, the decisions stream's server timestamps);
 *   latency: a steady --latency-rate for --latency-seconds; publish-to-decision latency is the decision's server
 *     timestamp minus its transaction's (p50_ms, p99_ms, max_ms);
 *   concurrent: N more published while the workers run, publisher and workers sharing the cores as a live
 *     deployment on this machine would; tps_concurrent = N / (first transaction's server timestamp to last
 *     decision's).
 * `cpu` gives, per phase (publish, backlog, latency, concurrent), the CPU seconds of the publisher (this
 * process), the workers, nats-server and all postgres processes (from /proc), what else the machine spent
 * ("other": another job on the cores distorts the run) and the machine's busy share of all its cores.
 * Prints one JSON line.
 * Run: npx fraudwatch bench stream-ceiling --json [--count N] [--workers W] [--pg]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { connectStream, type StreamConnection } from '../src/stream/nats-connection.ts';
import { streamNames, type StreamConfig } from '../src/stream/stream-config.ts';
import { publishTransactions } from '../src/stream/transaction-producer.ts';
import { machineBusyTicks, pidsNamed, processTicks, TICKS_PER_SECOND } from './proc-cpu.ts';
import { createBenchSchema } from './bench-schema.ts';
import { traffic } from './stream.ts';
import { messageTimes, percentile, sortedLatencies, waitForMessages } from './stream-timing.ts';
import { scriptArgs } from './script-args.ts';

export interface StreamCeilingOptions {
  count: number;
  workers: number;
  partitions: number;
  /** Messages per batch (what `bench stream` passes to its workers as --batch). */
  batch: number;
  latencyRate: number;
  latencySeconds: number;
  /** One multi-row INSERT per batch into PostgreSQL (TEST_DATABASE_URL, default 127.0.0.1:5432/test). */
  pg: boolean;
}

interface CpuSample {
  at: number;
  selfMicros: number;
  machine: number | null;
  /** Ticks so far of each process, by group. */
  workers: Map<number, number>;
  nats: Map<number, number>;
  postgres: Map<number, number>;
}

function ticksOf(pids: number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const t = processTicks(pid);
    if (t !== null) ticks.set(pid, t);
  }
  return ticks;
}

function sampleCpu(workerPids: number[]): CpuSample {
  const sample = {
    workers: ticksOf(workerPids),
    nats: ticksOf(pidsNamed('nats-server')),
    postgres: ticksOf(pidsNamed('postgres')),
    machine: machineBusyTicks(),
  };
  const self = process.cpuUsage();
  return { ...sample, at: performance.now(), selfMicros: self.user + self.system };
}

/** Seconds a group spent between two samples; a process started in between counts from zero. */
function spent(a: Map<number, number>, b: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += Math.max(0, t - (a.get(pid) ?? 0));
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds spent between two samples, by whom. */
function cpuBetween(a: CpuSample, b: CpuSample) {
  const wall = (b.at - a.at) / 1000;
  const publisher = (b.selfMicros - a.selfMicros) / 1e6;
  const workers = spent(a.workers, b.workers);
  const nats = spent(a.nats, b.nats);
  const postgres = spent(a.postgres, b.postgres);
  const machine =
    a.machine !== null && b.machine !== null ? (b.machine - a.machine) / TICKS_PER_SECOND : null;
  const round = (x: number) => Number(x.toFixed(2));
  return {
    wall_s: round(wall),
    publisher_s: round(publisher),
    workers_s: round(workers),
    nats_s: round(nats),
    postgres_s: round(postgres),
    other_s: machine === null ? null : round(Math.max(0, machine - publisher - workers - nats - postgres)),
    machine_busy_pct: machine === null ? null : Math.round((100 * machine) / (wall * availableParallelism())),
  };
}

// ---- worker processes ----

interface WorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  /** The JSON line it prints when it stops. */
  stats: Promise<Record<string, unknown> | null>;
}

function startWorker(index: number, env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, scriptArgs('stream-ceiling-worker', import.meta.url), {
    env: { ...env, CEILING_INDEX: String(index) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  let markReady: () => void = () => undefined;
  let failReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined); // awaited by the caller; a later exit must not be an unhandled rejection
  let last: Record<string, unknown> | null = null;
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('{')) last = JSON.parse(line) as Record<string, unknown>;
  });
  const stats = new Promise<Record<string, unknown> | null>((resolve) =>
    child.once('exit', (code) => {
      failReady(new Error(`stream-ceiling worker ${index} exited (${code}) before it was ready`));
      resolve(last);
    }),
  );
  return { child, ready, stats };
}

export async function runStreamCeilingBench(options: StreamCeilingOptions) {
  const schema = options.pg ? await createBenchSchema('fraudwatch_stream_ceiling') : null;
  const config: StreamConfig = {
    url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    prefix: `ceiling${process.pid}x${Date.now().toString(36)}`,
    partitions: options.partitions,
  };
  const names = streamNames(config);
  let stream: StreamConnection | null = null;
  const workers: WorkerProcess[] = [];
  try {
    stream = await connectStream(config);
    const env = {
      ...process.env,
      NATS_URL: config.url,
      FRAUDWATCH_STREAM_PREFIX: config.prefix,
      FRAUDWATCH_PARTITIONS: String(config.partitions),
      CEILING_WORKERS: String(options.workers),
      CEILING_BATCH: String(options.batch),
      DATABASE_URL: schema?.url ?? '',
    };
    for (let i = 0; i < options.workers; i++) workers.push(startWorker(i, env));
    await Promise.all(workers.map((w) => w.ready));
    const workerPids = workers.map((w) => w.child.pid!);

    // Phase 1: a backlog of N, then the workers.
    let items = [...traffic(options.count, 'b1-', 21)];
    const beforePublish = sampleCpu(workerPids);
    await publishTransactions(stream.js, config, items, { inFlight: 2000 });
    const afterPublish = sampleCpu(workerPids);
    const publishSeconds = (afterPublish.at - beforePublish.at) / 1000;
    for (const w of workers) w.child.stdin!.write('go\n');
    const drained = await waitForMessages(stream, names.decisions, options.count, 30 * 60_000);
    const afterDrain = sampleCpu(workerPids);
    const tps =
      options.count / ((Date.parse(drained.state.last_ts) - Date.parse(drained.state.first_ts)) / 1000);

    // Phase 2: a steady rate, for latency.
    const latencyCount = options.latencyRate * options.latencySeconds;
    items = [...traffic(latencyCount, 'b2-', 22)];
    const txSeq = (await stream.jsm.streams.info(names.transactions)).state.last_seq + 1;
    const decSeq = drained.state.last_seq + 1;
    const beforeLatency = sampleCpu(workerPids);
    await publishTransactions(stream.js, config, items, { rate: options.latencyRate, inFlight: 100 });
    await waitForMessages(stream, names.decisions, options.count + latencyCount, 5 * 60_000);
    const afterLatency = sampleCpu(workerPids);
    const published = await messageTimes(stream, names.transactions, txSeq);
    const decided = await messageTimes(stream, names.decisions, decSeq);
    const latencies = sortedLatencies(published, decided);

    // Phase 3: N more while the workers run.
    items = [...traffic(options.count, 'b3-', 23)];
    const concurrentSeq = (await stream.jsm.streams.info(names.transactions)).state.last_seq + 1;
    const beforeConcurrent = sampleCpu(workerPids);
    await publishTransactions(stream.js, config, items, { inFlight: 2000 });
    items = [];
    const total = 2 * options.count + latencyCount;
    const finished = await waitForMessages(stream, names.decisions, total, 30 * 60_000);
    const afterConcurrent = sampleCpu(workerPids);
    const firstConcurrent = await stream.jsm.streams.getMessage(names.transactions, { seq: concurrentSeq });
    const concurrentSeconds =
      (Date.parse(finished.state.last_ts) - Date.parse(firstConcurrent!.timestamp)) / 1000;

    const txInfo = await stream.jsm.streams.info(names.transactions);
    const stored = schema ? await schema.countTransactions() : null;
    for (const w of workers) w.child.kill('SIGTERM');
    const workerStats = await Promise.all(workers.map((w) => w.stats));
    const failedBatches = workerStats.reduce((n, s) => n + Number(s?.failed_batches ?? 0), 0);
    return {
      bench: 'stream-ceiling',
      count: options.count,
      workers: options.workers,
      partitions: options.partitions,
      batch: options.batch,
      pg: options.pg,
      tps: Math.round(tps),
      publish_tps: Math.round(options.count / publishSeconds),
      tps_concurrent: Math.round(options.count / concurrentSeconds),
      latency_rate: options.latencyRate,
      p50_ms: Number(percentile(latencies, 0.5).toFixed(2)),
      p99_ms: Number(percentile(latencies, 0.99).toFixed(2)),
      max_ms: Number((latencies.at(-1) ?? NaN).toFixed(2)),
      decided: finished.state.messages,
      stored,
      failed_batches: failedBatches,
      tx_msg_bytes: Math.round(txInfo.state.bytes / txInfo.state.messages),
      decision_msg_bytes: Math.round(finished.state.bytes / finished.state.messages),
      cpu: {
        publish: cpuBetween(beforePublish, afterPublish),
        backlog: cpuBetween(afterPublish, afterDrain),
        latency: cpuBetween(beforeLatency, afterLatency),
        concurrent: cpuBetween(beforeConcurrent, afterConcurrent),
      },
      node: process.version,
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.stats));
    if (stream) {
      for (const name of [names.transactions, names.decisions, names.deadLetters])
        await stream.jsm.streams.delete(name).catch(() => undefined);
      await stream.close();
    }
    await schema?.drop();
  }
}
