/**
 * `fraudwatch train --from-store`: the trainer serve runs (model-trainer.ts, trigger `cli`) on the store of
 * DATABASE_URL or the data dir, models registered in the data dir's models/ as challengers. Refused while a run
 * is going on (serve training on schedule, say): the store's claim is the same.
 */
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { ModelRegistry } from '../service/model-registry.ts';
import { ModelTrainer, type TrainingOutcome } from '../service/model-trainer.ts';
import { openStore } from '../store/open-store.ts';
import { formatDuration } from './options.ts';
import { trainingSettingsFromEnv } from './training-settings.ts';

export interface TrainFromStoreOptions {
  dataDir: string;
  /** Default: env TRAIN_WINDOW (30d). */
  windowMs?: number;
  /** Default: env TRAIN_LABEL_DELAY (7d). */
  labelDelayMs?: number;
  json: boolean;
}

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Trains once; returns the exit code: 0 trained, 1 skipped, failed or refused. */
export async function trainFromStore(options: TrainFromStoreOptions): Promise<number> {
  let settings;
  try {
    settings = trainingSettingsFromEnv();
  } catch (e) {
    console.error(`fraudwatch train: ${(e as Error).message}`);
    return 2;
  }
  const windowMs = options.windowMs ?? settings.windowMs;
  const dir = join(options.dataDir, 'models');
  mkdirSync(dir, { recursive: true });
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: options.dataDir });
  try {
    const trainer = new ModelTrainer(store, await ModelRegistry.open({ dir, engine: new Engine(), store }), {
      labelDelayMs: options.labelDelayMs ?? settings.labelDelayMs,
      minFrauds: settings.policy.minLabels,
      defaultWindowMs: windowMs,
    });
    const result = await trainer.train('cli', who(), windowMs);
    if ('started' in result) {
      const r = result.running;
      console.error(
        `fraudwatch train: a training run is going on (${r.id}, ${r.trigger} by ${r.actor}, started ${new Date(r.started_at).toISOString()}); try again when it has ended`,
      );
      return 1;
    }
    if (options.json) console.log(JSON.stringify(report(result)));
    else for (const line of lines(result, dir)) console.log(line);
    return result.run.status === 'done' ? 0 : 1;
  } finally {
    await store.close();
  }
}

function report(outcome: TrainingOutcome) {
  const { run } = outcome;
  return {
    run: run.id,
    status: run.status,
    window_ms: run.window_ms,
    cutoff: new Date(run.cutoff).toISOString(),
    decisions: run.result.decisions,
    labels: { ...run.result.labels, awaiting: outcome.awaitingLabel },
    produced: run.result.produced,
    metrics: outcome.metrics,
    message: run.result.message,
  };
}

const round = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(4));

function lines(outcome: TrainingOutcome, dir: string): string[] {
  const { run } = outcome;
  const l = run.result.labels;
  const out = [
    `training run ${run.id}: ${run.status}`,
    `decisions: ${run.result.decisions} in the ${formatDuration(run.window_ms)} before ${new Date(run.cutoff).toISOString()}`,
    `labels: ${l.fraud} fraud and ${l.legit} legitimate by verdict, ${l.assumed_legit} assumed legitimate (past the label delay), ${outcome.awaitingLabel} left out awaiting a label`,
  ];
  for (const [id, metrics] of Object.entries(outcome.metrics)) {
    const figures = Object.entries(metrics).map(([k, v]) => `${k} ${round(v)}`);
    out.push(`${id}: ${figures.length > 0 ? figures.join(', ') : 'no validation figures'}`);
  }
  if (run.result.produced.length > 0)
    out.push(`registered as challengers in ${dir}: ${run.result.produced.join(', ')}`);
  if (run.result.message !== null) out.push(run.result.message);
  return out;
}
