/**
 * `fraudwatch train --data FILE --out DIR`: runs a labelled file through the engine (so the models learn from the
 * features the engine really computes, merchant risk with delayed labels included), then fits the chosen models
 * on it and writes versioned JSON artifacts.
 * `fraudwatch train --from-store`: the same recipe on what a service stored (train-from-store.ts).
 */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { Engine } from '../engine/engine.ts';
import { FEATURE_COUNT } from '../engine/features/catalog.ts';
import { parseColumnMap } from '../ingest/column-map.ts';
import { formatOf } from '../ingest/file-records.ts';
import { labelledRows } from '../ingest/labelled-rows.ts';
import { FeatureHistory } from '../training/feature-history.ts';
import { writeArtifact } from '../training/model-files.ts';
import type { IsolationForest } from '../models/isolation-forest.ts';
import {
  trainGbdt,
  trainIsolationForest,
  withAnomalyScores,
  withLabelledMetrics,
} from '../training/trainers.ts';
import { inputFailureMessage, noRowsMessage } from './input-failures.ts';
import { trainFromStore } from './train-from-store.ts';
import { currencyOrExit, durationOption, formatDuration, positiveInt } from './options.ts';
import {
  gbdtValidation,
  iforestValidation,
  validationLines,
  VALIDATION_NOTE,
  type ModelValidation,
} from './training-report.ts';

interface TrainCliOptions {
  data?: string;
  fromStore: boolean;
  window?: number;
  dataDir: string;
  json: boolean;
  map?: string;
  models: string;
  out?: string;
  labelDelay: number;
  maxErrors: number;
  seed: number;
}

/** Options of training on a file that --from-store does not use, and the reverse. */
const FILE_ONLY_OPTIONS: readonly (keyof TrainCliOptions)[] = ['map', 'models', 'maxErrors', 'seed'];
const STORE_ONLY_OPTIONS: readonly (keyof TrainCliOptions)[] = ['window', 'dataDir', 'json'];

function fail(message: string): never {
  console.error(`fraudwatch train: ${message}`);
  process.exit(2);
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      'fit models on a labelled CSV/JSONL(.gz) file and write versioned JSON artifacts; or, with --from-store, on the decisions and verdicts a service stored (new versions enter as challengers)',
    )
    .option('--data <file>', 'labelled transactions in timestamp order (with --out)')
    .option(
      '--from-store',
      "train on the store's decided transactions whose labels are known (DATABASE_URL, or --data-dir)",
      false,
    )
    .addOption(
      durationOption(
        '--window <duration>',
        'with --from-store: how far back decisions are taken (default env TRAIN_WINDOW, 30d)',
      ),
    )
    .option(
      '--data-dir <dir>',
      'with --from-store: embedded database directory, models in its models/ (env FRAUDWATCH_DATA_DIR)',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    )
    .option('--json', 'with --from-store: print one JSON object', false)
    .option(
      '--map <pairs>',
      'with --data: field=COLUMN,... mapping file columns to transaction fields, `label` and attributes.<name> (env DEFAULT_CURRENCY, FRAUDWATCH_FX_RATES)',
    )
    .option('--models <list>', 'with --data: iforest, gbdt or iforest,gbdt', 'iforest,gbdt')
    .option('--out <dir>', 'directory for the artifacts (created if missing; with --data)')
    .addOption(
      durationOption(
        '--label-delay <duration>',
        'delay before labels feed merchant risk; when training from the store, how old an unlabelled decision must be to count as legitimate (env TRAIN_LABEL_DELAY)',
        7 * 86_400_000,
      ),
    )
    .option(
      '--max-errors <n>',
      'with --data: stop after this many bad rows',
      positiveInt('--max-errors'),
      1000,
    )
    .option('--seed <n>', 'with --data: training seed', positiveInt('--seed'), 1)
    .action(async (opts: TrainCliOptions, command: Command) => {
      // An option the chosen mode would ignore is refused by name, so nobody believes it took effect.
      const ignored = (opts.fromStore ? FILE_ONLY_OPTIONS : STORE_ONLY_OPTIONS).filter(
        (name) => command.getOptionValueSource(name) === 'cli',
      );
      if (ignored.length > 0) {
        const flags = ignored
          .map((name) => command.options.find((o) => o.attributeName() === name)!.long)
          .join(', ');
        fail(
          opts.fromStore
            ? `${flags}: only with --data (--from-store trains both models as serve does); leave ${ignored.length > 1 ? 'them' : 'it'} out`
            : `${flags}: only with --from-store`,
        );
      }
      if (opts.fromStore) {
        if (opts.data !== undefined || opts.out !== undefined)
          fail('--from-store trains on the store: leave out --data and --out');
        process.exitCode = await trainFromStore({
          dataDir: opts.dataDir,
          windowMs: opts.window,
          // unset: TRAIN_LABEL_DELAY, as serve trains
          labelDelayMs:
            command.getOptionValueSource('labelDelay') === 'default' ? undefined : opts.labelDelay,
          json: opts.json,
        });
        return;
      }
      if (opts.data === undefined) fail('give --data FILE --out DIR, or --from-store');
      if (opts.out === undefined) fail('--out DIR: where the artifacts go');
      const data = opts.data;
      const out = opts.out;
      let map;
      try {
        formatOf(data);
        map = parseColumnMap(opts.map);
      } catch (e) {
        fail((e as Error).message);
      }
      const models = new Set(opts.models.split(',').map((m) => m.trim()));
      for (const m of models)
        if (m !== 'iforest' && m !== 'gbdt') fail(`--models: unknown model "${m}" (iforest, gbdt)`);
      const engine = new Engine({ labelDelayMs: opts.labelDelay, currency: currencyOrExit(program) });
      const history = new FeatureHistory(FEATURE_COUNT);
      const counter = { bad: 0 };
      let from = Infinity;
      let to = -Infinity;
      try {
        const rows = labelledRows(
          {
            file: data,
            map,
            maxErrors: opts.maxErrors,
            currency: engine.currency,
            onBadRow: (line, message) => counter.bad <= 20 && console.error(`${data}:${line}: ${message}`),
          },
          counter,
        );
        for await (const { tx, label } of rows) {
          engine.score(tx);
          history.push(tx.timestamp, engine.features, label);
          engine.feedbackTransaction(tx, label === 1);
          from = Math.min(from, tx.timestamp);
          to = Math.max(to, tx.timestamp);
        }
      } catch (e) {
        const known = inputFailureMessage(e);
        if (known !== null) fail(known);
        throw e;
      }
      if (history.size === 0) fail(noRowsMessage(data, counter.bad));
      const training = {
        from: new Date(from).toISOString(),
        to: new Date(to + 1).toISOString(),
        label_delay_ms: opts.labelDelay,
        rows: history.size,
      };
      mkdirSync(out, { recursive: true });
      const written: string[] = [];
      const validation: ModelValidation[] = [];
      // Every labelled row in time order: the GBDT's training set, and the anomaly model's yardstick.
      const set = history.labelled(from, to + 1, 1, opts.seed);
      let iforest: IsolationForest | null = null;
      if (models.has('iforest')) {
        const sample = history.sample(from, to + 1, 100_000);
        const model = trainIsolationForest(sample.X, sample.n, opts.seed, training);
        // Trained without labels: how it ranks the labelled rows is its metric.
        withAnomalyScores(set.X, set.n, model);
        iforest = withLabelledMetrics(model, set.X, set.y, set.n);
        written.push(writeArtifact(out, iforest));
        validation.push(iforestValidation(iforest, set));
      }
      if (models.has('gbdt')) {
        if (iforest === null) withAnomalyScores(set.X, set.n, null);
        let positives = 0;
        for (let i = 0; i < set.n; i++) positives += set.y[i]!;
        const model = trainGbdt(set.X, set.y, set.n, opts.seed, { ...training, positives });
        if (model === null) fail(`too few frauds to train gbdt (${positives}; at least 20 needed)`);
        written.push(writeArtifact(out, model));
        validation.push(gbdtValidation(model));
      }
      const replayCommand = [
        'fraudwatch replay',
        data,
        opts.map ? `--map ${opts.map}` : '',
        `--models ${[...models].join(',')}`,
        `--label-delay ${formatDuration(opts.labelDelay)}`,
        '--json',
      ]
        .filter(Boolean)
        .join(' ');
      for (const line of validationLines(validation, replayCommand)) console.error(line);
      console.log(
        JSON.stringify({
          rows: history.size,
          bad_rows: counter.bad,
          artifacts: written,
          validation,
          validation_note: VALIDATION_NOTE,
          backtest_command: replayCommand,
        }),
      );
    });
}
