/**
 * The embedded store's writer, on its own thread: inserting a batch of decisions (and the WAL checkpoints that
 * follow) took about a third of the server's time in a profile under batch load: time taken from parsing and
 * scoring when it runs on the server's thread.
 * One connection, one batch at a time, in the order they arrive; each answer is posted after its commit.
 */
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { batchInserter, type InsertBatch, type InsertOutcome } from './sqlite-insert.ts';
import { durabilityOf, openSqlite, type SqliteDurability } from './sqlite-connection.ts';

export type WriterRequest =
  | { kind: 'insert'; seq: number; batch: InsertBatch }
  | { kind: 'durability'; seq: number }
  | { kind: 'close' };
export type WriterReply =
  | { kind: 'inserted'; seq: number; outcomes: InsertOutcome[] }
  | { kind: 'durability'; seq: number; settings: SqliteDurability }
  | { kind: 'failed'; seq: number; message: string; code: string | undefined };

const port = parentPort!;
const db: Database.Database = openSqlite((workerData as { path: string }).path);
// Prepared at the first batch: the thread may start before the store's migrations have created the table.
let insertBatch: ((batch: InsertBatch) => InsertOutcome[]) | null = null;

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
  let reply: WriterReply;
  try {
    insertBatch ??= batchInserter(db);
    reply = { kind: 'inserted', seq: request.seq, outcomes: insertBatch(request.batch) };
  } catch (e) {
    reply = {
      kind: 'failed',
      seq: request.seq,
      message: e instanceof Error ? e.message : String(e),
      code: (e as { code?: string }).code,
    };
  }
  port.postMessage(reply);
});
