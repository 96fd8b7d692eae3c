/**
 * Coalesces the store lookups of requests that arrive close together: the ids asked for within one turn of the
 * event loop go to the store as one query. On PostgreSQL that is one round trip instead of one per request; on
 * SQLite one statement instead of several.
 */
import type { Decision } from '../engine/decision.ts';
import type { DecisionStore } from '../store/types.ts';

export type StoredDecision = { payload_hash: string; decision: Decision };

interface Waiting {
  id: string;
  resolve: (found: StoredDecision | undefined) => void;
  reject: (error: unknown) => void;
}

export class LookupBatcher {
  private waiting: Waiting[] = [];

  constructor(
    private readonly store: DecisionStore,
    private readonly maxIds = 500,
  ) {}

  find(id: string): Promise<StoredDecision | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ id, resolve, reject });
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    for (let i = 0; i < all.length; i += this.maxIds) {
      const group = all.slice(i, i + this.maxIds);
      this.store.findDecisions(group.map((w) => w.id)).then(
        (found) => group.forEach((w) => w.resolve(found.get(w.id))),
        (e: unknown) => group.forEach((w) => w.reject(e)),
      );
    }
  }
}
