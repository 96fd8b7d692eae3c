/**
 * The server's side of the checkpoint thread (sqlite-checkpoint-thread.ts): starts it beside the writer
 * thread, never lets it keep the process alive, and stops it before the store's connections close (the last
 * connection to close checkpoints what is left and removes the WAL).
 */
import type { Worker } from 'node:worker_threads';
import type { CheckpointRequest, CheckpointThreadData } from './sqlite-checkpoint-thread.ts';
import { startThread } from './start-thread.ts';

/** Often enough that the WAL stays short (a few MB at 5,000 req/s), rarely enough to cost nothing when idle. */
export const CHECKPOINT_INTERVAL_MS = 250;

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** Checkpoints that failed (the thread tries again at the next tick); the last one's message. */
  failures = 0;
  lastFailure: string | null = null;

  constructor(path: string, intervalMs = CHECKPOINT_INTERVAL_MS) {
    this.worker = startThread('sqlite-checkpoint-thread', {
      path,
      intervalMs,
    } satisfies CheckpointThreadData);
    this.worker.on('message', (m: { kind: string; message: string }) => {
      if (m.kind !== 'checkpoint_failed') return;
      // The first failure and then every hundredth: a disk that keeps failing is said, not repeated 4 times a second.
      if (this.failures++ % 100 === 0) process.emitWarning(`WAL checkpoint failed: ${m.message}`);
      this.lastFailure = m.message;
    });
    this.worker.on('error', (error) => {
      this.lastFailure = error.message;
      process.emitWarning(`the WAL checkpoint thread stopped: ${error.message}`);
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  async close(): Promise<void> {
    this.worker.ref(); // an unreferenced thread's exit would not keep this await's event loop alive
    this.worker.postMessage({ kind: 'close' } satisfies CheckpointRequest);
    await this.exited;
  }
}
