/**
 * `fraudwatch report weekly [--week last|YYYY-Www] [--format md|html|json] [--out FILE]` and
 * `fraudwatch report patterns [--current 1h] [--baseline 7d]`: the reports of docs/reports.md, from the store
 * (`--data-dir` or DATABASE_URL), printed or written to a file.
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseTimestamp } from '../engine/transaction.ts';
import { parseWeek } from '../reports/iso-week.ts';
import { patternReport } from '../reports/pattern-report.ts';
import { patternHtml, weeklyHtml } from '../reports/render-html.ts';
import { patternMarkdown, weeklyMarkdown } from '../reports/render-markdown.ts';
import { weeklyReport } from '../reports/weekly-report.ts';
import { openStore } from '../store/open-store.ts';
import type { DecisionStore } from '../store/types.ts';
import { durationOption } from './options.ts';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
type Format = (typeof REPORT_FORMATS)[number];

interface CommonOptions {
  format: Format;
  out?: string;
  dataDir: string;
  now: number;
}

function formatOption(): Option {
  return new Option('--format <format>', 'md (tables), html (self-contained, with charts) or json')
    .choices(REPORT_FORMATS)
    .default('md');
}

/** Hidden: the time the report is made at (ISO 8601 or epoch ms), for tests and for re-making an old report. */
function nowOption(): Option {
  return new Option('--now <time>')
    .hideHelp()
    .argParser((value: string) => {
      const t = parseTimestamp(value);
      if (Number.isNaN(t))
        throw new InvalidArgumentError(`--now must be ISO 8601 or epoch ms, got "${value}"`);
      return t;
    })
    .default(undefined);
}

function withCommon(command: Command): Command {
  return command
    .addOption(formatOption())
    .option('--out <file>', 'write the report to this file instead of printing it')
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .addOption(nowOption());
}

async function withStore<T>(dataDir: string, use: (store: DecisionStore) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function emit(text: string, out: string | undefined): void {
  if (out === undefined) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  else {
    writeFileSync(out, text);
    console.error(`written to ${out}`);
  }
}

export function registerReportCommand(program: Command): void {
  const report = program
    .command('report')
    .description(
      'the weekly report and the fraud-pattern report, from the stored decisions (docs/reports.md)',
    );

  withCommon(
    report
      .command('weekly')
      .description(
        'a week (ISO, UTC) against the week before: volume, outcomes, alert rate, precision, missed fraud, amount blocked, backlog, top rules, model versions, scoring latency',
      )
      .option('--week <week>', 'last (the last complete week) or an ISO week such as 2026-W48', 'last'),
  ).action(async (opts: CommonOptions & { week: string }) => {
    const now = opts.now ?? Date.now();
    const week = parseWeek(opts.week, now);
    if ('error' in week) return program.error(`error: --week ${week.error}`);
    const result = await withStore(opts.dataDir, (store) => weeklyReport(store, week.start, now));
    const text =
      opts.format === 'json'
        ? JSON.stringify(result, null, 2)
        : opts.format === 'html'
          ? weeklyHtml(result)
          : weeklyMarkdown(result);
    emit(text, opts.out);
  });

  withCommon(
    report
      .command('patterns')
      .description(
        'flagged and confirmed fraud of the current window against a baseline before it, by merchant category, country, channel, hour, amount band, merchant and device, with risk levels',
      )
      .addOption(durationOption('--current <duration>', 'the recent window', 3_600_000))
      .addOption(
        durationOption('--baseline <duration>', 'the window before it to compare with', 7 * 86_400_000),
      ),
  ).action(async (opts: CommonOptions & { current: number; baseline: number }) => {
    if (opts.current <= 0 || opts.baseline <= 0)
      return program.error('error: --current and --baseline must be longer than 0');
    const now = opts.now ?? Date.now();
    const result = await withStore(opts.dataDir, (store) =>
      patternReport(store, now, opts.current, opts.baseline),
    );
    const text =
      opts.format === 'json'
        ? JSON.stringify(result, null, 2)
        : opts.format === 'html'
          ? patternHtml(result)
          : patternMarkdown(result);
    emit(text, opts.out);
  });
}
