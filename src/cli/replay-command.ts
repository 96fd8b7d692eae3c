/** `fraudwatch replay FILE`: a backtest of the whole engine on a labelled file, with delayed labels. */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { parseColumnMap } from '../ingest/column-map.ts';
import { formatOf } from '../ingest/file-records.ts';
import { replay } from '../replay/replay.ts';
import { inputFailureMessage, noRowsMessage } from './input-failures.ts';
import { currencyOrExit, durationOption, positiveInt } from './options.ts';
import { ProgressLine } from './progress-line.ts';
import { readRulesFile } from './rules-file.ts';
import type { CompiledRuleSet } from '../engine/rules/index.ts';

const DAY = 86_400_000;

interface ReplayCliOptions {
  map?: string;
  labelDelay: number;
  retrainEvery: number;
  trainWindow: number;
  warmup?: number;
  models: string;
  rules: string;
  scoresOut?: string;
  maxErrors: number;
  seed: number;
  json?: boolean;
}

function fail(message: string): never {
  console.error(`fraudwatch replay: ${message}`);
  process.exit(2);
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'backtest: stream a labelled CSV/JSONL(.gz) file through the engine with delayed labels and retraining',
    )
    .argument('<file>', 'labelled transactions, in timestamp order (.csv, .jsonl, .ndjson, optionally .gz)')
    .option(
      '--map <pairs>',
      'field=COLUMN,... mapping file columns to transaction fields, `label` and attributes.<name> (env DEFAULT_CURRENCY, FRAUDWATCH_FX_RATES)',
    )
    .addOption(
      durationOption(
        '--label-delay <duration>',
        'how long after a transaction its label becomes known',
        7 * DAY,
      ),
    )
    .addOption(
      durationOption('--retrain-every <duration>', 'retrain the models this often (in data time)', 7 * DAY),
    )
    .addOption(
      durationOption('--train-window <duration>', 'how much labelled history a training set spans', 28 * DAY),
    )
    .addOption(
      durationOption(
        '--warmup <duration>',
        'data time before the first training (default: label delay + 14d)',
      ),
    )
    .option('--models <list>', 'models to use: iforest, gbdt, iforest,gbdt or none', 'iforest,gbdt')
    .option(
      '--rules <on|off|file>',
      'on: the shipped rules; off: none; or a rules document (JSON, as `rules validate` checks) to backtest',
      'on',
    )
    .option(
      '--scores-out <file>',
      'write transaction_id,score,outcome per row, in input order (.csv or .csv.gz)',
    )
    .option('--max-errors <n>', 'stop after this many bad rows', positiveInt('--max-errors'), 1000)
    .option('--seed <n>', 'seed for model training', positiveInt('--seed'), 1)
    .option('--json', 'print the result as one JSON line and no progress bar (bad rows still go to stderr)')
    .action(async (file: string, opts: ReplayCliOptions) => {
      let map;
      try {
        formatOf(file);
        map = parseColumnMap(opts.map);
      } catch (e) {
        fail((e as Error).message);
      }
      const models = new Set(
        opts.models
          .split(',')
          .map((m) => m.trim())
          .filter((m) => m && m !== 'none'),
      );
      for (const m of models)
        if (m !== 'iforest' && m !== 'gbdt') fail(`--models: unknown model "${m}" (iforest, gbdt)`);
      let rules: CompiledRuleSet | undefined;
      if (opts.rules !== 'on' && opts.rules !== 'off') {
        const read = readRulesFile(opts.rules);
        if (!read.ok && 'unreadable' in read) fail(`--rules ${read.unreadable}`);
        if (!read.ok) {
          for (const line of read.problems)
            console.error(`fraudwatch replay: --rules ${opts.rules}: ${line}`);
          fail(
            `--rules ${opts.rules}: ${read.problems.length} problem${read.problems.length === 1 ? '' : 's'} (\`fraudwatch rules validate ${opts.rules}\`)`,
          );
        }
        rules = read.value;
      }
      let size = 0;
      try {
        size = statSync(file).size;
      } catch (e) {
        const error = e as NodeJS.ErrnoException;
        fail(
          `${file}: ${error.code === 'ENOENT' ? 'no such file' : 'cannot read the file'} (${error.message})`,
        );
      }
      const progress = new ProgressLine('replay', size, opts.json === true);
      let shownBad = 0;
      try {
        const result = await replay({
          file,
          map,
          labelDelayMs: opts.labelDelay,
          retrainEveryMs: opts.retrainEvery,
          trainWindowMs: opts.trainWindow,
          warmupMs: opts.warmup ?? opts.labelDelay + 14 * DAY,
          useIforest: models.has('iforest'),
          useGbdt: models.has('gbdt'),
          useRules: opts.rules !== 'off',
          rules,
          scoresOut: opts.scoresOut,
          maxErrors: opts.maxErrors,
          seed: opts.seed,
          currency: currencyOrExit(program),
          onProgress: (rows, read) => progress.update(rows, read.bytes),
          onBadRow: (line, message) => {
            if (shownBad++ >= 20) return; // the rest are counted in bad_rows
            console.error(`${file}:${line}: ${message}`);
          },
        });
        progress.done();
        if (result.rows === 0) fail(noRowsMessage(file, result.bad_rows));
        console.log(JSON.stringify(result));
      } catch (e) {
        progress.done();
        const known = inputFailureMessage(e);
        if (known !== null) fail(known);
        throw e;
      }
    });
}
