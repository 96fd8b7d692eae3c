/**
 * Does a training from the store stall decisions? A real `fraudwatch serve` on a store holding 30 simulated days
 * (decisions with their features, frauds confirmed by verdicts), the same open-loop load twice: once alone, once
 * with POST /api/v1/models/train sent as it starts. One JSON line: both p99s and how long the training took.
 * Run: npx fraudwatch bench http --train-during --json [--rate 500 --seconds 20] [--store embedded|postgres]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.ts';
import { openStore } from '../src/store/open-store.ts';
import { confirmFrauds, DAY, storeSimulatedTraffic } from '../src/training/stored-simulation.ts';
import { createBenchSchema } from './bench-schema.ts';
import { openLoop, type OpenLoopResult } from './open-loop.ts';

export interface HttpTrainingBenchOptions {
  store: 'embedded' | 'postgres';
  rate: number;
  seconds: number;
  /** Simulated accounts in the stored history (30 days of them). */
  accounts?: number;
}

let seq = 0;
const body = (): string =>
  JSON.stringify({
    transaction_id: `bench-train-${process.pid}-${++seq}`,
    timestamp: new Date().toISOString(),
    account_id: `acct-${seq % 5000}`,
    amount: 10 + (seq % 500),
    currency: 'EUR',
    merchant_id: `m-${seq % 300}`,
  });

async function waitFor(child: ChildProcess, text: string, seconds: number): Promise<string> {
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (let i = 0; i < seconds * 10 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes(text)) throw new Error(`serve did not say "${text}":\n${out}`);
  return out;
}

export async function runHttpTrainingBench(
  options: HttpTrainingBenchOptions,
): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-bench-train-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', RETRAIN_EVERY: 'off' };
  let cleanup = async (): Promise<void> => undefined;
  if (options.store === 'postgres') {
    const schema = await createBenchSchema('fraudwatch_bench_train');
    env.DATABASE_URL = schema.url;
    cleanup = schema.drop;
  } else env.DATABASE_URL = '';
  // The history a service would have stored over 30 days, ending now.
  const fillStarted = performance.now();
  const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir });
  const start = Math.floor(Date.now() / DAY) * DAY - 30 * DAY;
  const frauds = await storeSimulatedTraffic(store, new Engine({ labelDelayMs: 0 }), start, 30, 5, {
    accounts: options.accounts ?? 5000,
    fraudRate: 0.005,
  });
  await confirmFrauds(store, frauds, start, start + 29 * DAY, DAY);
  await store.close();
  const fillSeconds = (performance.now() - fillStarted) / 1000;

  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    ['bin/fraudwatch.js', 'serve', '--port', String(port), '--data-dir', dataDir],
    { env },
  );
  try {
    const out = await waitFor(child, 'listening on', 120);
    const keyFile = / it is in (\S+) \(mode 0600\)/.exec(out)?.[1];
    const key = keyFile === undefined ? undefined : readFileSync(keyFile, 'utf8').trim();
    if (!key) throw new Error(`serve did not start:\n${out}`);
    const url = `http://127.0.0.1:${port}`;
    const headers = { 'content-type': 'application/json', 'x-api-key': key };
    // the state rebuild from the stored history first: it is not what is measured
    await waitFor(child, 'state rebuilt from the store', 300);
    const single = (): Promise<OpenLoopResult> =>
      openLoop({
        url: `${url}/api/v1/transactions`,
        headers,
        body,
        rate: options.rate,
        seconds: options.seconds,
        connections: 64,
      });
    await single(); // warm up the JIT and the store
    const alone = await single();
    const during = single();
    const started = await fetch(`${url}/api/v1/models/train`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ window: '30d' }),
    });
    if (started.status !== 202)
      throw new Error(`POST /models/train: ${started.status} ${await started.text()}`);
    const withTraining = await during;
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 6000; i++) {
      const r = (await (await fetch(`${url}/api/v1/models/training`, { headers })).json()) as {
        runs: Record<string, unknown>[];
      };
      run = r.runs[0]!;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const trainingSeconds = (Date.parse(String(run.finished_at)) - Date.parse(String(run.started_at))) / 1000;
    return {
      bench: 'http-train-during',
      store: options.store,
      rate: options.rate,
      seconds: options.seconds,
      p50_ms_alone: alone.p50_ms,
      p99_ms_alone: alone.p99_ms,
      p50_ms_training: withTraining.p50_ms,
      p99_ms_training: withTraining.p99_ms,
      p999_ms_training: withTraining.p999_ms,
      errors: alone.errors + alone.non2xx + withTraining.errors + withTraining.non2xx,
      // where the errors were: lost requests (no answer) and non-2xx answers by status, per phase
      errors_alone: { lost: alone.errors, ...alone.non2xx_by_status },
      errors_training: { lost: withTraining.errors, ...withTraining.non2xx_by_status },
      training_status: run.status,
      training_seconds: trainingSeconds,
      // the load lasted `seconds`: a training longer than that was measured for part of its length only
      training_within_load: trainingSeconds <= options.seconds,
      training_decisions: run.decisions,
      training_labels: run.labels,
      produced: run.produced,
      stored_history_fill_seconds: Math.round(fillSeconds),
      node: process.version,
    };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    await cleanup();
  }
}
