/**
 * The embedded store's writer, on its own thread: inserting a batch of decisions (and, then, the WAL checkpoints
 * that followed; they have a thread of their own now) took about a third of the server's time in a profile under
 * batch load: time taken from parsing and scoring when it runs on the server's thread. The case sweep's writes run here too (CASE_SWEEP_OPS): on the
 * server's connection each of its transactions held the decision path 40-80 ms every pass (its statements, its
 * commit, and the sleeps of waiting for this thread's lock), while here they queue between decision batches.
 * One connection, one request at a time, in the order they arrive; each answer is posted after its commit.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { batchInserter, type InsertBatch, type InsertOutcome } from './sqlite-insert.ts';
import { durabilityOf, openSqlite, type SqliteDurability } from './sqlite-connection.ts';
import { SqliteCases } from './sqlite-cases.ts';

/** The case sweep's store writes (src/cases/case-sweep.ts), run by this thread's SqliteCases. */
export const CASE_SWEEP_OPS = ['groupAlerts', 'routeCases', 'assignCases'] as const;
export type CaseSweepOp = (typeof CASE_SWEEP_OPS)[number];

export type WriterRequest =
  | { kind: 'insert'; seq: number; batch: InsertBatch }
  | { kind: 'sweep'; seq: number; op: CaseSweepOp; args: unknown[] }
  | { kind: 'durability'; seq: number }
  | { kind: 'close' };
export type WriterReply =
  | { kind: 'inserted'; seq: number; outcomes: InsertOutcome[] }
  | { kind: 'swept'; seq: number; result: unknown }
  | { kind: 'durability'; seq: number; settings: SqliteDurability }
  | { kind: 'failed'; seq: number; message: string; code: string | undefined };

const port = parentPort!;
// The store's checkpoint thread keeps the WAL short (sqlite-checkpoint-thread.ts): commits here do not wait
// for checkpoints.
const db: Database.Database = openSqlite((workerData as { path: string }).path, {
  checkpointsElsewhere: true,
});
// Prepared at the first batch: the thread may start before the store's migrations have created the table.
let insertBatch: ((batch: InsertBatch) => InsertOutcome[]) | null = null;
// The sweep's operations write case timelines, never the audit chain (only a person's change does).
const cases = new SqliteCases(
  db,
  (work) => db.transaction(work).immediate(),
  () => {
    throw new Error('the writer thread does not append audit entries');
  },
);

async function answer(
  request: Exclude<WriterRequest, { kind: 'close' | 'durability' }>,
): Promise<WriterReply> {
  if (request.kind === 'insert') {
    insertBatch ??= batchInserter(db);
    return { kind: 'inserted', seq: request.seq, outcomes: insertBatch(request.batch) };
  }
  const run = cases[request.op] as (...args: unknown[]) => Promise<unknown>;
  return { kind: 'swept', seq: request.seq, result: await run.apply(cases, request.args) };
}

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    db.close();
    port.close();
    return;
  }
  if (request.kind === 'durability') {
    port.postMessage({
      kind: 'durability',
      seq: request.seq,
      settings: durabilityOf(db),
    } satisfies WriterReply);
    return;
  }
  // Each request's transaction runs synchronously in this handler (SqliteCases returns promises already
  // settled), so requests are written one at a time in order, and each answer is posted in the same turn.
  answer(request).then(
    (reply) => port.postMessage(reply),
    (e: unknown) =>
      port.postMessage({
        kind: 'failed',
        seq: request.seq,
        message: e instanceof Error ? e.message : String(e),
        code: (e as { code?: string }).code,
      } satisfies WriterReply),
  );
});
