/** `fraudwatch simulate`: writes deterministic labelled traffic to a file (or JSON Lines to stdout). */
import { closeSync, openSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parseTimestamp } from '../engine/transaction.ts';
import { simulationFormatOf, writeSimulation } from '../simulator/index.ts';
import { publishSimulation } from '../stream/publish-simulation.ts';
import { positiveInt } from './options.ts';

interface SimulateCliOptions {
  accounts: number;
  merchants?: number;
  days: number;
  seed: number;
  start: string;
  fraudRate: number;
  idPrefix: string;
  out?: string;
  to?: string;
  rate: number;
  count?: number;
}

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
  EROFS: 'read-only file system',
};

function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 0.5)
    throw new InvalidArgumentError(`--fraud-rate must be a number in [0, 0.5], got "${value}"`);
  return n;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('write simulated labelled traffic (CSV or JSONL, optionally .gz); deterministic for a seed')
    .option('--accounts <n>', 'number of accounts', positiveInt('--accounts'), 1000)
    .option(
      '--merchants <n>',
      'number of merchants (default: max(50, accounts/20))',
      positiveInt('--merchants'),
    )
    .option('--days <n>', 'number of days', positiveInt('--days'), 30)
    .option('--seed <n>', 'random seed', positiveInt('--seed'), 1)
    .option('--start <date>', 'first day, ISO 8601 (UTC midnight)', '2026-01-01')
    .option('--fraud-rate <r>', 'target share of fraudulent transactions', fraction, 0.005)
    .option('--id-prefix <p>', 'prefix of every transaction id', 'tx-')
    .option(
      '--out <file>',
      'output file: .csv, .jsonl or .ndjson, optionally + .gz (default: JSON Lines on stdout)',
    )
    .option(
      '--to <url>',
      'publish into NATS JetStream instead (nats://HOST:PORT; env FRAUDWATCH_PARTITIONS, FRAUDWATCH_STREAM_PREFIX)',
    )
    .option('--rate <n>', 'with --to: transactions a second (0: as fast as acknowledged)', Number, 0)
    .option('--count <n>', 'with --to: stop after this many transactions', positiveInt('--count'))
    .action(async (opts: SimulateCliOptions) => {
      const start = parseTimestamp(opts.start);
      if (Number.isNaN(start)) program.error(`--start must be an ISO 8601 date, got "${opts.start}"`);
      const options = {
        accounts: opts.accounts,
        merchants: opts.merchants,
        days: opts.days,
        seed: opts.seed,
        start,
        fraudRate: opts.fraudRate,
        idPrefix: opts.idPrefix,
      };
      if (opts.to !== undefined) {
        if (opts.out !== undefined) program.error('--to and --out: choose one destination');
        if (!/^nats:\/\//.test(opts.to)) program.error(`--to must be a nats:// URL, got "${opts.to}"`);
        if (!Number.isFinite(opts.rate) || opts.rate < 0) program.error('--rate must be a number >= 0');
        const started = performance.now();
        const published = await publishSimulation({
          url: opts.to,
          rate: opts.rate,
          count: opts.count,
          simulation: options,
        }).catch((e: Error) => program.error(`--to ${opts.to}: ${e.message}`));
        const seconds = (performance.now() - started) / 1000;
        console.error(
          `published ${published} transactions in ${seconds.toFixed(1)} s (${Math.round(published / seconds)}/s)`,
        );
        return;
      }
      if (opts.out !== undefined) {
        try {
          simulationFormatOf(opts.out);
        } catch (e) {
          program.error((e as Error).message);
        }
        // Opened here first so a bad path gets a one-line error naming --out instead of a stack trace
        // (the writer would create the file anyway).
        try {
          closeSync(openSync(opts.out, 'w'));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? '';
          const why = WRITE_ERRORS[code] ?? (e as Error).message;
          program.error(`--out: cannot write "${opts.out}": ${why}`);
        }
      }
      const started = performance.now();
      let result: { rows: number; frauds: number };
      try {
        result = await writeSimulation(options, opts.out ?? process.stdout);
      } catch (e) {
        // `simulate | head` closes the pipe early: the reader has what it wanted, so stop quietly.
        if ((e as NodeJS.ErrnoException).code === 'EPIPE' && opts.out === undefined) process.exit(0);
        program.error(`simulate: ${opts.out ?? 'stdout'}: ${(e as Error).message}`);
      }
      if (opts.out !== undefined) {
        const seconds = (performance.now() - started) / 1000;
        console.error(
          `${opts.out}: ${result.rows} transactions, ${result.frauds} fraudulent (${((100 * result.frauds) / Math.max(1, result.rows)).toFixed(2)}%), ${seconds.toFixed(1)} s`,
        );
      }
    });
}
