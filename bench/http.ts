/**
 * HTTP benchmark: a real `fraudwatch serve` process (trained models, default rules) and the load generator in
 * this one, both on this machine. Prints one JSON line per store: p99 at a fixed rate, the highest rate sustained
 * with p99 <= 20 ms, and batch throughput.  Run: npx fraudwatch bench http --json [--store embedded|postgres|both]
 * `--store floor` runs the same single-request phases against bench/http-floor-server.ts (Fastify answering a
 * constant): the latency and CPU that the framework and this generator cost on this machine before any work.
 * Every line also gives the CPU each request cost the server and the generator during the fixed phase, and
 * for serve the same fixed phase against the floor server after serve has stopped (`floor_*`), with the ratios
 * `cpu_ratio_to_floor` and `p99_ratio_to_floor` (issue 18's targets are ratios measured in one run), and the
 * server's CPU per transaction in the batch phase (`batch_server_cpu_us_per_tx`).
 * `--generator wrk|both` adds the fixed phase driven by wrk (bench/wrk-generator.ts) as `wrk_*` figures, and the
 * same wrk phase against the floor server in the same run as `wrk_floor_*`; `wrk` alone skips the Node phases.
 *
 * Single transactions go through the open-loop generator (bench/open-loop.ts: evenly spaced requests, latency
 * from the instant each was due); batches through autocannon, closed loop (4 connections, a batch each).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createBenchSchema } from './bench-schema.ts';
import { openLoop, type OpenLoopResult } from './open-loop.ts';
import { cpuUsPerRequest, processTicks } from './proc-cpu.ts';
import { runWrk, type WrkResult } from './wrk-generator.ts';
import { scriptArgs } from './script-args.ts';

export interface HttpBenchOptions {
  /** `floor`: bench/http-floor-server.ts (Fastify answering a constant) instead of fraudwatch serve. */
  store: 'embedded' | 'postgres' | 'floor';
  rate: number;
  seconds: number;
  /** Who drives the single requests: the Node open-loop generator (today's figures), wrk, or both. */
  generator: 'node' | 'wrk' | 'both';
}

export type StartedServer = Awaited<ReturnType<typeof startServer>>;

/** Rates tried, in order, for the highest one sustained; each must also keep up (98 % of it answered). */
const STEP_RATES = [5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000, 14000, 16000];
const STEP_SECONDS = 10;
const MAX_P99_MS = 20;

let seq = 0;
const body = (): string =>
  JSON.stringify({
    transaction_id: `bench-${process.pid}-${++seq}`,
    timestamp: new Date().toISOString(),
    account_id: `acct-${seq % 5000}`,
    amount: 10 + (seq % 500),
    currency: 'EUR',
    merchant_id: `m-${seq % 300}`,
    device_id: `d-${seq % 7000}`,
  });

async function waitForListening(child: ChildProcess): Promise<string> {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (let i = 0; i < 600 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('listening on')) throw new Error(`the server did not start:\n${out}`);
  return out;
}

export async function startFloorServer(): Promise<{
  child: ChildProcess;
  url: string;
  key: string;
  cleanup: () => Promise<void>;
}> {
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [...scriptArgs('http-floor-server', import.meta.url), String(port)]);
  await waitForListening(child);
  return { child, url: `http://127.0.0.1:${port}`, key: 'none', cleanup: async () => undefined };
}

export async function startServer(
  store: HttpBenchOptions['store'],
): Promise<{ child: ChildProcess; url: string; key: string; cleanup: () => Promise<void> }> {
  if (store === 'floor') return startFloorServer();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  let cleanup = async (): Promise<void> => undefined;
  if (store === 'postgres') {
    const schema = await createBenchSchema('fraudwatch_bench');
    env.DATABASE_URL = schema.url;
    cleanup = schema.drop;
  }
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    [
      'bin/fraudwatch.js',
      'serve',
      '--port',
      String(port),
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'fraudwatch-bench-')),
    ],
    { env },
  );
  const out = await waitForListening(child);
  // stdout is a pipe here, so serve put the first admin key in a file and printed its path.
  const keyFile = / it is in (\S+) \(mode 0600\)/.exec(out)?.[1];
  const key = keyFile === undefined ? undefined : readFileSync(keyFile, 'utf8').trim();
  if (!key) throw new Error(`serve did not start:\n${out}`);
  return { child, url: `http://127.0.0.1:${port}`, key, cleanup };
}

/** The server's own count of answers to single POSTs by status: 201 stored a new decision, 200 repeated an id. */
async function answersByStatus(server: StartedServer): Promise<{ created: number; repeated: number }> {
  const res = await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': server.key } });
  const text = await res.text();
  const count = (status: string): number => {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('fraudwatch_http_request_duration_seconds_count{') &&
          l.includes('method="POST"') &&
          l.includes('route="/api/v1/transactions"') &&
          l.includes(`status="${status}"`),
      );
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { created: count('201'), repeated: count('200') };
}

let wrkRuns = 0;

/** A wrk fixed-rate phase with the server's CPU a request; against serve, also what the server stored. */
export async function wrkPhase(
  server: StartedServer,
  rate: number,
  seconds: number,
  countAnswers: boolean,
): Promise<WrkResult & { server_cpu_us_per_request: number | null; created?: number; repeated?: number }> {
  const answersBefore = countAnswers ? await answersByStatus(server) : null;
  const serverBefore = processTicks(server.child.pid!);
  const r = await runWrk({
    url: `${server.url}/api/v1/transactions`,
    headers: { 'content-type': 'application/json', 'x-api-key': server.key },
    rate,
    seconds,
    connections: 64,
    idPrefix: `wrk-${process.pid}-${++wrkRuns}`,
  });
  const serverAfter = processTicks(server.child.pid!);
  const serverCpuUs = cpuUsPerRequest(serverBefore, serverAfter, r.completed);
  if (answersBefore === null) return { ...r, server_cpu_us_per_request: serverCpuUs };
  // Requests wrk left in flight at its stop are answered just after; let them land in the counts.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const answersAfter = await answersByStatus(server);
  return {
    ...r,
    server_cpu_us_per_request: serverCpuUs,
    created: answersAfter.created - answersBefore.created,
    repeated: answersAfter.repeated - answersBefore.repeated,
  };
}

/** A phase's figures as `prefix_name` keys of the JSON line. */
function prefixed(prefix: string, r: Awaited<ReturnType<typeof wrkPhase>>): Record<string, unknown> {
  const figures: Record<string, unknown> = {
    p50_ms: r.p50_ms,
    p90_ms: r.p90_ms,
    p99_ms: r.p99_ms,
    p999_ms: r.p999_ms,
    rps: r.achieved_rps,
    errors: r.errors,
    late: r.late,
    server_cpu_us_per_request: r.server_cpu_us_per_request,
    generator_cpu_us_per_request: r.generator_cpu_us_per_request,
  };
  if (r.created !== undefined) figures.stored = r.created;
  if (r.repeated !== undefined) figures.repeated_ids = r.repeated;
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${prefix}_${k}`, v]));
}

/** a / b to two decimals; null when either is missing or b is 0. */
export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : Math.round((a / b) * 100) / 100;
}

/** The Node generator's fixed-rate phase against the floor server, with its CPU a request. */
async function nodeFloorPhase(
  rate: number,
  seconds: number,
): Promise<{ floor_p50_ms: number; floor_p99_ms: number; floor_server_cpu_us_per_request: number | null }> {
  const floor = await startFloorServer();
  try {
    const phase = (r: number, s: number): Promise<OpenLoopResult> =>
      openLoop({
        url: `${floor.url}/api/v1/transactions`,
        headers: { 'content-type': 'application/json' },
        body,
        rate: r,
        seconds: s,
        connections: 64,
      });
    await phase(2000, 3); // warm up the JIT
    const before = processTicks(floor.child.pid!);
    const r = await phase(rate, seconds);
    const after = processTicks(floor.child.pid!);
    return {
      floor_p50_ms: r.p50_ms,
      floor_p99_ms: r.p99_ms,
      floor_server_cpu_us_per_request: cpuUsPerRequest(before, after, r.completed),
    };
  } finally {
    floor.child.kill('SIGINT');
    await new Promise((r) => floor.child.once('exit', r));
  }
}

/** The wrk phase against the floor server, so wrk's ratios to the floor come from the same run. */
async function wrkFloorPhase(rate: number, seconds: number): Promise<Record<string, unknown>> {
  const floor = await startFloorServer();
  try {
    await wrkPhase(floor, 2000, 3, false); // warm up the JIT
    return prefixed('wrk_floor', await wrkPhase(floor, rate, seconds, false));
  } finally {
    floor.child.kill('SIGINT');
    await new Promise((r) => floor.child.once('exit', r));
  }
}

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function runHttpBench(options: HttpBenchOptions): Promise<Record<string, unknown>> {
  const server = await startServer(options.store);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    server.child.kill('SIGINT');
    await new Promise((r) => server.child.once('exit', r));
    await server.cleanup();
  };
  const headers = { 'content-type': 'application/json', 'x-api-key': server.key };
  const single = (rate: number, seconds: number): Promise<OpenLoopResult> =>
    openLoop({ url: `${server.url}/api/v1/transactions`, headers, body, rate, seconds, connections: 64 });
  const useNode = options.generator !== 'wrk';
  const useWrk = options.generator !== 'node';
  let wrkFigures: Record<string, unknown> = {};
  try {
    // warm up the JIT and the store
    if (useNode) await single(2000, 5);
    else await wrkPhase(server, 2000, 5, false);
    if (useWrk)
      wrkFigures = prefixed(
        'wrk',
        await wrkPhase(server, options.rate, options.seconds, options.store !== 'floor'),
      );
    if (!useNode) {
      const base = {
        bench: 'http',
        store: options.store,
        generator: options.generator,
        rate: options.rate,
        seconds: options.seconds,
      };
      return {
        ...base,
        ...wrkFigures,
        ...(options.store === 'floor' ? {} : await stopThenFloor()),
        node: process.version,
      };
    }
    const serverBefore = processTicks(server.child.pid!);
    const generatorBefore = process.cpuUsage();
    const fixed = await single(options.rate, options.seconds);
    const serverAfter = processTicks(server.child.pid!);
    const generator = process.cpuUsage(generatorBefore);
    // CPU each request cost the server (all its threads) and this load generator: on a machine they share,
    // the two together bound the highest rate.
    const serverCpuUs = cpuUsPerRequest(serverBefore, serverAfter, fixed.completed);
    const generatorCpuUs = Math.round((generator.user + generator.system) / fixed.completed);
    let highest: OpenLoopResult | null = null;
    for (const rate of STEP_RATES) {
      const r = await single(rate, STEP_SECONDS);
      const sustained =
        r.p99_ms <= MAX_P99_MS && r.errors === 0 && r.non2xx === 0 && r.achieved_rps >= 0.98 * rate;
      if (!sustained) break;
      highest = r;
    }
    const figures = {
      bench: 'http',
      store: options.store,
      rate: options.rate,
      seconds: options.seconds,
      p50_ms: fixed.p50_ms,
      p99_ms: fixed.p99_ms,
      p999_ms: fixed.p999_ms,
      achieved_rps: fixed.achieved_rps,
      errors: fixed.errors + fixed.non2xx,
      server_cpu_us_per_request: serverCpuUs,
      generator_cpu_us_per_request: generatorCpuUs,
      max_rps: highest?.achieved_rps ?? 0,
      max_rps_p99_ms: highest?.p99_ms ?? null,
      ...(useWrk ? { generator: options.generator, ...wrkFigures } : {}),
    };
    if (options.store === 'floor') return { ...figures, node: process.version };
    const batchSize = 1000;
    const batchBefore = processTicks(server.child.pid!);
    const batch = await load({
      url: `${server.url}/api/v1/transactions/batch`,
      method: 'POST',
      headers,
      connections: 4,
      duration: 8,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            body: `{"transactions":[${Array.from({ length: batchSize }, body).join(',')}]}`,
          }),
        },
      ],
    } as autocannon.Options);
    const batchAfter = processTicks(server.child.pid!);
    const batchFigures = {
      batch_tps: Math.round((batch.requests.total * batchSize) / 8),
      batch_errors: batch.errors + batch.non2xx,
      batch_server_cpu_us_per_tx: cpuUsPerRequest(batchBefore, batchAfter, batch.requests.total * batchSize),
    };
    await stop();
    // The same open-loop phase against the bare framework, after serve has stopped: the ratios to it come from
    // one run, so the machine's drift between hours cannot decide them.
    const floor = await nodeFloorPhase(options.rate, options.seconds);
    return {
      ...figures,
      ...batchFigures,
      ...floor,
      cpu_ratio_to_floor: ratio(serverCpuUs, floor.floor_server_cpu_us_per_request),
      p99_ratio_to_floor: ratio(fixed.p99_ms, floor.floor_p99_ms),
      ...(useWrk ? await wrkFloorPhase(options.rate, options.seconds) : {}),
      node: process.version,
    };
  } finally {
    await stop();
  }

  // The floor runs after serve has stopped, so the two never share the cores.
  async function stopThenFloor(): Promise<Record<string, unknown>> {
    await stop();
    return wrkFloorPhase(options.rate, options.seconds);
  }
}
