/**
 * How well fraudwatch ranks fraud, not how fast: replays labelled files through the full default system and
 * through each part alone, and prints one JSON line per dataset and system.
 *
 * - `handbook`: the Fraud Detection Handbook's public file (shared/benchmarks/handbook/), scored with its own
 *   protocol scorer (eval_scores.py, 4 prequential test weeks; needs /usr/bin/python3 with pandas and
 *   scikit-learn). Nobody here wrote that generator.
 * - `sim-small`, `sim-large`: fraudwatch's own simulator at two sizes; the metrics cover the rows scored after
 *   the first retrain (replay's `after_warmup`), since before it no model exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseColumnMap } from '../src/ingest/column-map.ts';
import { replay, type ReplayOptions } from '../src/replay/replay.ts';
import { writeSimulation } from '../src/simulator/write.ts';

const DAY = 86_400_000;
const HANDBOOK_MAP =
  'transaction_id=TRANSACTION_ID,timestamp=TX_DATETIME,account_id=CUSTOMER_ID,merchant_id=TERMINAL_ID,amount=TX_AMOUNT,label=TX_FRAUD';

export const SYSTEMS = {
  full: { useIforest: true, useGbdt: true, useRules: true },
  gbdt: { useIforest: false, useGbdt: true, useRules: false },
  iforest: { useIforest: true, useGbdt: false, useRules: false },
  rules: { useIforest: false, useGbdt: false, useRules: true },
} as const;
export type SystemName = keyof typeof SYSTEMS;

export const DATASETS = ['handbook', 'sim-small', 'sim-large'] as const;
export type DatasetName = (typeof DATASETS)[number];

const SIM_SIZES: Record<
  Exclude<DatasetName, 'handbook'>,
  { accounts: number; days: number; seed: number }
> = {
  'sim-small': { accounts: 2_000, days: 60, seed: 21 },
  'sim-large': { accounts: 10_000, days: 60, seed: 22 },
};

export interface AccuracyOptions {
  datasets: DatasetName[];
  systems: SystemName[];
  /** The handbook file; default: shared/benchmarks/handbook/handbook_public.csv.gz beside the repository. */
  handbook?: string;
  /**
   * Trainer seeds 1..seeds per dataset and system (default 1). A row gives their means: the GBDT samples rows and
   * columns per tree, so one seed cannot tell apart changes smaller than that noise.
   */
  seeds?: number;
  print: (line: string) => void;
}

export interface AccuracyRow {
  dataset: DatasetName;
  system: SystemName;
  rows: number;
  auc_roc: number;
  average_precision: number;
  card_precision_at_100: number;
  /** Which rows the metrics cover. */
  metrics_over: string;
  /** How many trainer seeds the metrics are the means of, and each seed's figures (seed 1 first). */
  seeds: number;
  per_seed: { auc_roc: number[]; average_precision: number[]; card_precision_at_100: number[] };
  /** The first seed's replay. */
  replay_tps: number;
  replay_s: number;
}

/** The checkout this module belongs to: the nearest directory up with a package.json (dist/ has none). */
function checkoutRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function defaultHandbook(): string {
  return resolve(checkoutRoot(), '..', 'shared', 'benchmarks', 'handbook', 'handbook_public.csv.gz');
}

function baseOptions(
  file: string,
  map: string,
  seed: number,
): Omit<ReplayOptions, 'useIforest' | 'useGbdt' | 'useRules'> {
  return {
    file,
    map: parseColumnMap(map),
    labelDelayMs: 7 * DAY,
    retrainEveryMs: 7 * DAY,
    trainWindowMs: 28 * DAY,
    warmupMs: 21 * DAY,
    maxErrors: 1000,
    seed,
  };
}

/** The handbook's protocol scorer on a scores file: its prequential means. */
function handbookMetrics(
  handbook: string,
  scores: string,
): { auc_roc: number; average_precision: number; card_precision_at_100: number } {
  const scorer = join(dirname(handbook), 'eval_scores.py');
  const r = spawnSync('/usr/bin/python3', [scorer, handbook, scores, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `${scorer} failed (it needs /usr/bin/python3 with python3-pandas and python3-sklearn):\n${r.stderr}`,
    );
  }
  const m = JSON.parse(r.stdout).prequential_mean as Record<string, number>;
  return {
    auc_roc: m.auc_roc!,
    average_precision: m.average_precision!,
    card_precision_at_100: m['card_precision@100']!,
  };
}

const round = (x: number): number => Number(x.toFixed(4));

export async function runAccuracyBench(options: AccuracyOptions): Promise<AccuracyRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-accuracy-'));
  const rows: AccuracyRow[] = [];
  const seeds = Math.max(1, options.seeds ?? 1);
  try {
    for (const dataset of options.datasets) {
      let file: string;
      let map = '';
      if (dataset === 'handbook') {
        file = options.handbook ?? defaultHandbook();
        if (!existsSync(file)) throw new Error(`${file}: no such file (give --handbook PATH)`);
        map = HANDBOOK_MAP;
      } else {
        file = join(dir, `${dataset}.csv.gz`);
        await writeSimulation(SIM_SIZES[dataset], file);
      }
      for (const system of options.systems) {
        const perSeed = {
          auc_roc: [] as number[],
          average_precision: [] as number[],
          card_precision_at_100: [] as number[],
        };
        let metricsOver = '';
        let first: { tps: number; elapsed_s: number; rows: number } | null = null;
        for (let seed = 1; seed <= seeds; seed++) {
          const scoresOut = join(dir, `${dataset}-${system}.csv`);
          const result = await replay({
            ...baseOptions(file, map, seed),
            ...SYSTEMS[system],
            ...(dataset === 'handbook' ? { scoresOut } : {}),
          });
          const metrics =
            dataset === 'handbook'
              ? {
                  ...handbookMetrics(file, scoresOut),
                  metrics_over: 'handbook protocol, 4 prequential test weeks',
                }
              : {
                  auc_roc: result.after_warmup.auc_roc,
                  average_precision: result.after_warmup.average_precision,
                  card_precision_at_100: result.after_warmup.card_precision_at_100,
                  metrics_over: `${result.after_warmup.rows} rows after the first retrain`,
                };
          rmSync(scoresOut, { force: true });
          perSeed.auc_roc.push(round(metrics.auc_roc));
          perSeed.average_precision.push(round(metrics.average_precision));
          perSeed.card_precision_at_100.push(round(metrics.card_precision_at_100));
          metricsOver = metrics.metrics_over;
          first ??= result;
        }
        const mean = (xs: number[]): number => round(xs.reduce((a, b) => a + b, 0) / xs.length);
        const row: AccuracyRow = {
          dataset,
          system,
          rows: first!.rows,
          auc_roc: mean(perSeed.auc_roc),
          average_precision: mean(perSeed.average_precision),
          card_precision_at_100: mean(perSeed.card_precision_at_100),
          metrics_over: metricsOver,
          seeds,
          per_seed: perSeed,
          replay_tps: first!.tps,
          replay_s: first!.elapsed_s,
        };
        rows.push(row);
        options.print(JSON.stringify(row));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
