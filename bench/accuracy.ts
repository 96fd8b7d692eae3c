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

function baseOptions(file: string, map: string): Omit<ReplayOptions, 'useIforest' | 'useGbdt' | 'useRules'> {
  return {
    file,
    map: parseColumnMap(map),
    labelDelayMs: 7 * DAY,
    retrainEveryMs: 7 * DAY,
    trainWindowMs: 28 * DAY,
    warmupMs: 21 * DAY,
    maxErrors: 1000,
    seed: 1,
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
        const scoresOut = join(dir, `${dataset}-${system}.csv`);
        const result = await replay({
          ...baseOptions(file, map),
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
        const row: AccuracyRow = {
          dataset,
          system,
          rows: result.rows,
          auc_roc: round(metrics.auc_roc),
          average_precision: round(metrics.average_precision),
          card_precision_at_100: round(metrics.card_precision_at_100),
          metrics_over: metrics.metrics_over,
          replay_tps: result.tps,
          replay_s: result.elapsed_s,
        };
        rows.push(row);
        options.print(JSON.stringify(row));
        rmSync(scoresOut, { force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
