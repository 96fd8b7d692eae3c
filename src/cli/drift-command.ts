/**
 * `fraudwatch drift [--window 24h] [--json]`: how far the last window's traffic has moved from what the models
 * in force were trained on, as the population stability index per model input and for each model's score, and
 * the score's per 24th of the window (its history). `--json` prints what GET /api/v1/models/drift answers for
 * the live traffic of one process (plus `decisions` and `without_profile`), here from every stored decision.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadModel } from '../models/artifact.ts';
import { DEFAULT_DRIFT_WINDOW_MS } from '../ops/drift-monitor.ts';
import { SCORE_PSI_ALERT } from '../service/live-drift.ts';
import { driftFromStore, type StoreDriftReport } from '../ops/drift-from-store.ts';
import { openStore } from '../store/open-store.ts';
import { artifactInForce, artifactPath, MODEL_KINDS } from '../training/model-files.ts';
import { durationMs, positiveInt } from './options.ts';

interface DriftOptions {
  window: number;
  dataDir: string;
  json: boolean;
  top: number;
}

/** The history's slot (a 24th of the window) in words: "by hour" for the default day. */
function slotName(windowMs: number): string {
  const hours = windowMs / 24 / 3_600_000;
  return hours === 1 ? 'by hour' : `per ${Number(hours.toFixed(2))} h`;
}

function printText(report: StoreDriftReport, top: number): void {
  console.log(`decisions in the last ${report.window_ms / 3_600_000} h: ${report.decisions}`);
  for (const m of report.models) {
    const flag = m.score_psi > SCORE_PSI_ALERT ? `  DRIFT (> ${SCORE_PSI_ALERT}: consider retraining)` : '';
    console.log(`${m.model_version}: score PSI ${m.score_psi.toFixed(3)}${flag}`);
    if (m.history.length > 0) {
      const slot = slotName(report.window_ms);
      console.log(
        `  score PSI ${slot}, oldest first: ${m.history.map((p) => p.score_psi.toFixed(3)).join(' ')}`,
      );
    }
    const worst = [...m.features].sort((a, b) => b.psi - a.psi).slice(0, top);
    for (const f of worst) console.log(`  ${f.feature.padEnd(32)} ${f.psi.toFixed(3)}`);
  }
  for (const version of report.without_profile) {
    console.log(`${version}: trained before drift profiles were kept; retrain to measure its drift`);
  }
}

export function registerDriftCommand(program: Command): void {
  program
    .command('drift')
    .description(
      "population stability index of the last window's stored decisions against the training data of the models in force (per input and for the score, and the score per 24th of the window; > 0.1 is the drift alert)",
    )
    .option(
      '--window <duration>',
      'how far back to look: 24h, 7d',
      durationMs('--window'),
      DEFAULT_DRIFT_WINDOW_MS,
    )
    .option(
      '--data-dir <dir>',
      'embedded database and models directory',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    )
    .option(
      '--top <n>',
      'inputs listed per model in the text output, most drifted first',
      positiveInt('--top'),
      10,
    )
    .option(
      '--json',
      'print one JSON object: window_ms, models [{model_version, score_psi, features, history}] (as GET /api/v1/models/drift)',
      false,
    )
    .action(async (opts: DriftOptions) => {
      const dir = join(opts.dataDir, 'models');
      const models = MODEL_KINDS.flatMap((kind) => {
        const id = artifactInForce(dir, kind);
        return id === null ? [] : [loadModel(artifactPath(dir, id))];
      });
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
      try {
        const report = await driftFromStore(store, models, Date.now(), opts.window);
        if (opts.json) console.log(JSON.stringify(report));
        else printText(report, opts.top);
      } finally {
        await store.close();
      }
    });
}
