/**
 * Engine benchmark: features + rules (+ models) on simulated traffic, one thread.
 * Prints one JSON line: tps, p50_us, p99_us, accounts, transactions, rss_mb, bytes_per_account.
 * Run: node bin/fraudwatch.js bench engine --json   (or: node --import tsx bench/engine.ts)
 */
import { Engine } from '../src/engine/engine.ts';
import { HeuristicModel } from '../src/engine/heuristic-model.ts';
import type { ModelSlot } from '../src/engine/model.ts';
import type { Transaction } from '../src/engine/transaction.ts';
import { simulate } from '../src/simulator/index.ts';
import { trainOnSimulation } from '../src/training/bootstrap-models.ts';

/**
 * Trains the isolation forest and the GBDT the way `fraudwatch train` does, on a separate simulated history
 * (other seed, 20,000 accounts, 30 days), so the benchmark scores with real models.
 */
export function trainedModels(seed: number): ModelSlot[] {
  const { gbdt, iforest } = trainOnSimulation(20_000, 30, seed + 1000);
  return [
    { model: gbdt, weight: 1 },
    { model: iforest, weight: 0.25 },
  ];
}

export interface EngineBenchOptions {
  accounts: number;
  days: number;
  transactions: number;
  seed: number;
  models?: ModelSlot[];
  modelsLabel?: string;
  /** Also score a challenger set in the shadow on every decision (trained models of another seed; issue 13). */
  challenger?: boolean;
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
  reserved_bytes_per_account: number;
  merchants: number;
  merchant_mb: number;
  models: string;
  /** The challenger set's models when one scored in the shadow, else null. */
  challenger: string | null;
  rules: number;
  flagged: number;
  node: string;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * Transactions are generated in chunks of CHUNK (memory stays flat) and each chunk is then scored in a tight
 * loop; only the `engine.score` calls are timed, each on its own, so tps = scored / time inside the engine.
 * The timer's own cost (~40 ns a call) is included.
 */
const CHUNK = 50_000;

export function runEngineBench(options: EngineBenchOptions): EngineBenchResult {
  const models =
    options.models ??
    (options.modelsLabel === 'heuristic'
      ? [{ model: new HeuristicModel(), weight: 1 }]
      : trainedModels(options.seed));
  const engine = new Engine({ models });
  const challenger = options.challenger ? trainedModels(options.seed + 1) : null;
  engine.setChallengerModels(challenger);
  const limit = Math.min(options.transactions, 2 ** 31);
  let durations = new Float64Array(1 << 20);
  let n = 0;
  let flagged = 0;
  let inside = 0;
  const chunk: Transaction[] = [];
  const scoreChunk = (): void => {
    for (let i = 0; i < chunk.length; i++) {
      const before = performance.now();
      const decision = engine.score(chunk[i]!);
      const took = performance.now() - before;
      inside += took;
      if (n === durations.length) {
        const grown = new Float64Array(n * 2);
        grown.set(durations);
        durations = grown;
      }
      durations[n++] = took;
      if (decision.outcome !== 'approve') flagged++;
    }
    chunk.length = 0;
  };
  for (const row of simulate({ accounts: options.accounts, days: options.days, seed: options.seed })) {
    chunk.push(row.tx);
    if (n + chunk.length >= limit) break;
    if (chunk.length === CHUNK) scoreChunk();
  }
  scoreChunk();
  const sorted = durations.subarray(0, n).sort();
  const stats = engine.featureStore.stats();
  return {
    bench: 'engine',
    tps: Math.round(n / (inside / 1000)),
    p50_us: Number((percentile(sorted, 0.5) * 1000).toFixed(2)),
    p99_us: Number((percentile(sorted, 0.99) * 1000).toFixed(2)),
    p999_us: Number((percentile(sorted, 0.999) * 1000).toFixed(2)),
    accounts: stats.accounts,
    transactions: n,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    bytes_per_account: Math.round(stats.account_bytes / Math.max(1, stats.accounts)),
    reserved_bytes_per_account: Math.round(stats.account_reserved_bytes / Math.max(1, stats.accounts)),
    merchants: stats.merchants,
    merchant_mb: Math.round(stats.merchant_bytes / 1048576),
    models: models.map((m) => m.model?.name ?? 'missing').join('+'),
    challenger: challenger === null ? null : challenger.map((m) => m.model?.name ?? 'missing').join('+'),
    rules: engine.ruleSet.rules.length,
    flagged,
    node: process.version,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    JSON.stringify(runEngineBench({ accounts: 100_000, days: 30, transactions: Infinity, seed: 1 })),
  );
}
