/**
 * Group commit: decisions submitted while a write is in flight are gathered and written together in the next
 * batch, so a busy server does one database transaction per batch instead of one per request. Each submitter's
 * promise settles only after its batch is committed (or fails with the batch's error).
 */
import type { DecisionStore, NewDecision, SaveResult } from '../store/types.ts';

interface Pending {
  record: NewDecision;
  resolve: (result: SaveResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private writing = false;
  /** Batches written so far (for metrics and tests). */
  batches = 0;

  constructor(
    private readonly store: DecisionStore,
    private readonly maxBatch = 1000,
  ) {}

  write(record: NewDecision): Promise<SaveResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    // Let the requests that arrive in this tick join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.batches++;
      try {
        const results = await this.store.saveDecisions(batch.map((p) => p.record));
        batch.forEach((p, i) => p.resolve(results[i]!));
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.writing = false;
  }
}
