/**
 * `fraudwatch labels import FILE`: labels that arrive after the decision (chargebacks, confirmed-fraud reports)
 * from a CSV (`transaction_id,label[,known_at]`) or JSON Lines file, optionally .gz, into the store: each
 * recorded once per transaction with its audit entry (actor `cli:<user>`). A `serve` or `worker` on the same
 * store feeds them to its engine within FRAUDWATCH_FOLLOW_INTERVAL_MS. Every line not recorded is reported as
 * `FILE:LINE: field: message`; exit 0 when every line was recorded (or was already), 1 when some were refused,
 * 2 when the file cannot be read at all.
 */
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { FileReadError, formatOf, readFileRecords } from '../ingest/file-records.ts';
import { LABEL_COLUMNS, toLabelRecord } from '../ingest/label-records.ts';
import { LABEL_CHUNK } from '../service/decision-service.ts';
import { openStore } from '../store/open-store.ts';
import type { DecisionStore, LabelResult, NewLabel } from '../store/types.ts';
import { isStorableText } from '../engine/transaction.ts';
import { NO_EVENTS, type DomainEventSink } from '../service/domain-events.ts';
import { labelEvent } from '../webhooks/decision-events.ts';
import { OutboxWriter } from '../webhooks/outbox-writer.ts';
import { noRowsMessage } from './input-failures.ts';

const LABEL_FILE_COLUMNS: readonly string[] = [...LABEL_COLUMNS, 'known_at'];
const MAX_SOURCE_LENGTH = 200;

interface ImportOptions {
  dataDir: string;
  source?: string;
  json: boolean;
}

export interface ImportProblem {
  line: number;
  result: 'invalid' | 'unknown_transaction' | 'conflict';
  message: string;
}

export interface ImportSummary {
  file: string;
  source: string;
  lines: number;
  recorded: number;
  unchanged: number;
  unknown_transaction: number;
  conflict: number;
  invalid: number;
  /** Recorded labels that say otherwise than the analysts' verdict on the case (the import wins). */
  contradicts_verdict: number;
  problems: ImportProblem[];
}

/** A file that cannot be imported at all: exit 2 with this one line. */
export class UnusableFile extends Error {}

/** Who ran the command, for the audit trail. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** A usage error: one line, exit 2. */
function usage(message: string): never {
  console.error(`fraudwatch labels import: ${message}`);
  process.exit(2);
}

function checkHeader(file: string, columns: readonly string[]): void {
  const missing = LABEL_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !LABEL_FILE_COLUMNS.includes(c));
  if (missing.length > 0)
    throw new UnusableFile(
      `${file}:1: header: missing column(s) ${missing.join(', ')} (transaction_id,label[,known_at])`,
    );
  if (unknown.length > 0)
    throw new UnusableFile(
      `${file}:1: header: ${unknown.join(', ')}: not a label column (transaction_id, label, known_at)`,
    );
}

function problemMessage(r: LabelResult, label: NewLabel): ImportProblem['message'] | null {
  if (r.result === 'unknown_transaction')
    return `transaction_id: no transaction ${label.transaction_id} is stored`;
  if (r.result !== 'conflict') return null;
  const s = r.stored;
  return `label: ${s.fraud ? 'fraud' : 'legit'} was recorded before (source ${s.source}, known at ${new Date(s.known_at).toISOString()}); a recorded label is not replaced`;
}

/** Reads the file and records its labels a chunk at a time; every line not recorded is in `problems`. */
export async function importLabels(
  store: DecisionStore,
  file: string,
  source: string,
  actor: string,
  now: () => number = Date.now,
  /** Where each recorded label is announced (webhooks' label.recorded). */
  events: DomainEventSink = NO_EVENTS,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    file,
    source,
    lines: 0,
    recorded: 0,
    unchanged: 0,
    unknown_transaction: 0,
    conflict: 0,
    invalid: 0,
    contradicts_verdict: 0,
    problems: [],
  };
  let pending: { line: number; label: NewLabel }[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const results = await store.recordLabels(
      pending.map((p) => p.label),
      actor,
      now(),
    );
    results.forEach((r, i) => {
      const { line, label } = pending[i]!;
      if (r.result === 'recorded')
        events.publish(labelEvent(label.transaction_id, label.fraud, label.source, label.known_at));
      if (r.result === 'recorded' || r.result === 'unchanged') summary[r.result]++;
      if (r.result === 'recorded' && r.contradicts_verdict !== null) summary.contradicts_verdict++;
      const message = problemMessage(r, label);
      if (message !== null) {
        summary[r.result as 'unknown_transaction' | 'conflict']++;
        summary.problems.push({ line, result: r.result as ImportProblem['result'], message });
      }
    });
    pending = [];
  };
  for await (const row of readFileRecords(file, undefined, (columns) => checkHeader(file, columns))) {
    summary.lines++;
    const checked = row.error === undefined ? toLabelRecord(row.record, now()) : { error: row.error };
    if ('error' in checked) {
      summary.invalid++;
      summary.problems.push({ line: row.line, result: 'invalid', message: checked.error });
      continue;
    }
    pending.push({
      line: row.line,
      label: {
        transaction_id: checked.transaction_id,
        fraud: checked.fraud,
        source,
        known_at: checked.known_at ?? now(),
      },
    });
    // Small transactions: the embedded store's writer (a running serve's decisions) waits for each one.
    if (pending.length >= LABEL_CHUNK) await flush();
  }
  await flush();
  summary.problems.sort((a, b) => a.line - b.line);
  return summary;
}

function printText(s: ImportSummary): void {
  for (const p of s.problems) console.error(`${s.file}:${p.line}: ${p.message}`);
  const contradicting =
    s.contradicts_verdict > 0 ? ` (${s.contradicts_verdict} contradict an analyst's verdict)` : '';
  console.log(
    `${s.file}: ${s.lines} lines: ${s.recorded} recorded${contradicting}, ${s.unchanged} unchanged (recorded before), ` +
      `${s.unknown_transaction} unknown transaction ids, ${s.conflict} conflicts, ${s.invalid} bad lines`,
  );
}

export function registerLabelsCommand(program: Command): void {
  const labels = program
    .command('labels')
    .description('labels that arrive after the decision: chargebacks, confirmed-fraud reports')
    // Usage errors (a missing FILE, an unknown option) exit 2, as the command's own do; 1 means refused lines.
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));
  labels
    .command('import')
    .argument('<file>', 'CSV with a header transaction_id,label[,known_at], or JSON Lines; .gz allowed')
    .description(
      'record late labels (label: fraud/legit, 1/0, true/false, yes/no; known_at: epoch ms or ISO 8601, default now) ' +
        'in the embedded store or PostgreSQL (DATABASE_URL), each once per transaction and audited; a running ' +
        'serve or worker feeds them to its engine within FRAUDWATCH_FOLLOW_INTERVAL_MS. Prints each line not ' +
        'recorded (FILE:LINE: field: message) and a summary; exit 0 when every line is recorded (or was ' +
        'before), 1 when some were refused, 2 when the file cannot be read',
    )
    .option('--data-dir <dir>', 'embedded database directory', process.env.FRAUDWATCH_DATA_DIR ?? './data')
    .option('--source <name>', "where the labels come from, kept with each (default: the file's name)")
    .option('--json', 'print one JSON object (the summary and every problem line)', false)
    .action(async (file: string, opts: ImportOptions) => {
      const source = opts.source ?? basename(file);
      if (source.length === 0 || source.length > MAX_SOURCE_LENGTH || !isStorableText(source))
        usage(`--source must be 1 to ${MAX_SOURCE_LENGTH} characters of text, got "${source}"`);
      try {
        formatOf(file);
      } catch (e) {
        usage((e as Error).message);
      }
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
      let summary: ImportSummary;
      // Announced through the store's webhook outbox; written before the store closes.
      const outbox = new OutboxWriter(store);
      try {
        summary = await importLabels(store, file, source, cliActor(), Date.now, outbox);
        await outbox.flush();
      } catch (e) {
        if (!(e instanceof FileReadError || e instanceof UnusableFile)) throw e;
        console.error(`fraudwatch labels import: ${e.message}`);
        process.exitCode = 2;
        return;
      } finally {
        await store.close();
      }
      if (opts.json) console.log(JSON.stringify(summary));
      else printText(summary);
      if (summary.lines === 0) {
        if (!opts.json) console.error(`fraudwatch labels import: ${noRowsMessage(file, 0)}`);
        process.exitCode = 1;
      } else if (summary.problems.length > 0) process.exitCode = 1;
    });
}
