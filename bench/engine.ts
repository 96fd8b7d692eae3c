/**
 * Engine benchmark: features + rules (+ models) on simulated traffic, one thread.
 * Prints one JSON line: tps, p50_us, p99_us, accounts, transactions, rss_mb, bytes_per_account.
 * Run: node bin/fraudwatch.js bench engine --json   (or: node --import tsx bench/engine.ts)
 */
import { Engine } from '../src/engine/engine.ts';
import { HeuristicModel } from '../src/engine/heuristic-model.ts';
import type { ModelSlot } from '../src/engine/model.ts';
import type { Transaction } from '../src/engine/transaction.ts';
import { simulate } from '../src/sim/index.ts';

export interface EngineBenchOptions {
  accounts: number;
  days: number;
  transactions: number;
  seed: number;
  models?: ModelSlot[];
  modelsLabel?: string;
}

export interface EngineBenchResult {
  bench: 'engine';
  tps: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  accounts: number;
  transactions: number;
  rss_mb: number;
  bytes_per_account: number;
  models: string;
  rules: number;
  flagged: number;
  node: string;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function runEngineBench(options: EngineBenchOptions): EngineBenchResult {
  const txs: Transaction[] = [];
  for (const row of simulate({ accounts: options.accounts, days: options.days, seed: options.seed })) {
    txs.push(row.tx);
    if (txs.length >= options.transactions) break;
  }
  const models = options.models ?? [{ model: new HeuristicModel(), weight: 1 }];
  const engine = new Engine({ models });
  const n = txs.length;
  const durations = new Float64Array(n);
  let flagged = 0;
  const started = performance.now();
  let previous = started;
  for (let i = 0; i < n; i++) {
    const decision = engine.score(txs[i]!);
    if (decision.outcome !== 'approve') flagged++;
    const now = performance.now();
    durations[i] = now - previous;
    previous = now;
  }
  const elapsedMs = performance.now() - started;
  durations.sort();
  const stats = engine.featureStore.stats();
  return {
    bench: 'engine',
    tps: Math.round(n / (elapsedMs / 1000)),
    p50_us: Number((percentile(durations, 0.5) * 1000).toFixed(2)),
    p99_us: Number((percentile(durations, 0.99) * 1000).toFixed(2)),
    p999_us: Number((percentile(durations, 0.999) * 1000).toFixed(2)),
    accounts: stats.accounts,
    transactions: n,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    bytes_per_account: Math.round(stats.approx_bytes / Math.max(1, stats.accounts)),
    models: options.modelsLabel ?? models.map((m) => m.model.version).join('+'),
    rules: engine.ruleSet.rules.length,
    flagged,
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    JSON.stringify(runEngineBench({ accounts: 100_000, days: 30, transactions: 1_000_000, seed: 1 })),
  );
}
