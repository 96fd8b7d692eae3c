/**
 * Group commit: decisions submitted while a write is in flight are gathered and written together in the next
 * batch, so a busy server does one database transaction per batch instead of one per request. Each submitter's
 * promise settles only after its batch is committed (or fails with the batch's error).
 *
 * Up to `maxInFlight` batches are written at once: the next batch is handed over while the previous one is still
 * committing (on the embedded store's writer thread, or another PostgreSQL connection) instead of after, which
 * takes one round trip out of every request's wait.
 */
import type { DecisionStore, NewDecision, SaveResult } from '../store/types.ts';

interface Pending {
  record: NewDecision;
  resolve: (result: SaveResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  /** Batches written so far (for metrics and tests). */
  batches = 0;

  constructor(
    private readonly store: DecisionStore,
    private readonly maxBatch = 1000,
    private readonly maxInFlight = 2,
  ) {}

  write(record: NewDecision): Promise<SaveResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.flushScheduled = true;
    // Let the requests that arrive in this tick join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.batches++;
      this.store
        .saveDecisions(batch.map((p) => p.record))
        .then(
          (results) => batch.forEach((p, i) => p.resolve(results[i]!)),
          (e: unknown) => batch.forEach((p) => p.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          this.scheduleFlush();
        });
    }
  }
}
