/**
 * Takes back what scoring recorded when the decision could not be stored.
 *
 * Scoring records a transaction into its account's and merchant's state before the decision is written; if the
 * write fails, the transaction comes back (a stream redelivers it, an HTTP client retries) and would otherwise be
 * counted twice. The merchant's count is exact to undo: its event is taken out. The account's state is copied
 * before the first decision of an account that has none in flight, and when the account's last write settles:
 * all failed → the copy is restored (exact); some stored → restoring would also undo stored decisions, so the
 * state is kept and the case counted (it takes a failing store and one account in two batches at once).
 */
import type { Engine } from '../engine/engine.ts';
import type { Transaction } from '../engine/transaction.ts';

interface OpenAccount {
  /** The state before its first decision in flight; null when the account was new. */
  before: Uint32Array | null;
  pending: number;
  stored: number;
  failed: number;
}

export type SettleOutcome = 'kept' | 'rolled_back' | 'not_rolled_back' | 'pending';

export class StateRollback {
  private readonly open = new Map<string, OpenAccount>();

  constructor(private readonly engine: Engine) {}

  /** Call just before scoring `tx` (after any shared state was loaded). */
  beforeScoring(tx: Transaction): void {
    const entry = this.open.get(tx.account_id);
    if (entry !== undefined) entry.pending++;
    else {
      const before = this.engine.featureStore.accounts.snapshot(tx.account_id);
      this.open.set(tx.account_id, { before, pending: 1, stored: 0, failed: 0 });
    }
  }

  /** Call once per scored transaction when its write has settled; `stored` says whether it now counts. */
  settle(tx: Transaction, stored: boolean): SettleOutcome {
    if (!stored) this.engine.withdrawFromMerchant(tx);
    const entry = this.open.get(tx.account_id);
    if (entry === undefined) return 'kept';
    entry.pending--;
    if (stored) entry.stored++;
    else entry.failed++;
    if (entry.pending > 0) return 'pending';
    this.open.delete(tx.account_id);
    if (entry.failed === 0) return 'kept';
    if (entry.stored > 0) return 'not_rolled_back';
    const accounts = this.engine.featureStore.accounts;
    if (entry.before === null) accounts.reset(tx.account_id);
    else accounts.restore(tx.account_id, entry.before);
    return 'rolled_back';
  }
}
