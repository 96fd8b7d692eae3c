/**
 * The embedded store's WAL checkpoints, on a thread of their own. A checkpoint copies the pages committed to
 * the WAL back into the database file and syncs it; run by the committing connection (SQLite's
 * wal_autocheckpoint), it held that commit, and every decision waiting for it, 15-23 ms about once a second at
 * 5,000 req/s. A PASSIVE checkpoint takes no lock that a writer or a reader waits for, so here it runs beside
 * the writer thread's commits. The store's connections keep a fallback threshold (FALLBACK_CHECKPOINT_PAGES) in
 * case this thread stops.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite-connection.ts';

export interface CheckpointThreadData {
  path: string;
  /** Milliseconds between checkpoints. */
  intervalMs: number;
}

export type CheckpointRequest = { kind: 'close' };

const port = parentPort!;
const { path, intervalMs } = workerData as CheckpointThreadData;
const db = openSqlite(path, { checkpointsElsewhere: true });

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Another process's checkpoint in progress (a command with the same store open) is not a failure; a failing
    // disk is, and is reported. Either way the next tick tries again, and the store's connections still
    // checkpoint past their fallback threshold.
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return;
    port.postMessage({ kind: 'checkpoint_failed', message: (error as Error).message });
  }
}, intervalMs);

port.on('message', (request: CheckpointRequest) => {
  if (request.kind !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
