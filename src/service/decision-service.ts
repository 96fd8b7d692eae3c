/**
 * The transport-free core of the service: validate, score once, store, answer. HTTP handlers and stream workers
 * call this; it guarantees that a transaction id is scored at most once (a resubmission, even a concurrent one,
 * gets the stored decision and never touches the engine's state again) and that an answer is given only after
 * its decision is committed. Review verdicts go to the store's audit trail and back to the engine as labels.
 */
import { createHash } from 'node:crypto';
import type { Decision } from '../engine/decision.ts';
import type { Engine } from '../engine/engine.ts';
import {
  transactionToJSON,
  validateTransaction,
  type FieldError,
  type Transaction,
} from '../engine/transaction.ts';
import type { CaseStatus, DecisionStore, StatusChange } from '../store/types.ts';
import type { Metrics } from '../ops/metrics.ts';
import { GroupCommitWriter } from './group-commit.ts';

export type DecideResult =
  | { kind: 'created'; decision: Decision }
  | { kind: 'duplicate'; decision: Decision }
  | { kind: 'conflict'; decision: Decision }
  | { kind: 'invalid'; errors: FieldError[] };

/** SHA-256 of the transaction's canonical JSON (keys sorted), to recognise a resubmission. */
export function payloadHash(tx: Transaction): string {
  const json = transactionToJSON(tx);
  const canonical = JSON.stringify(
    Object.fromEntries(
      Object.keys(json)
        .sort()
        .map((k) => [k, json[k]]),
    ),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export class DecisionService {
  private readonly writer: GroupCommitWriter;
  /** Decisions being written, by id: a concurrent resubmission waits for the first instead of scoring again. */
  private readonly inFlight = new Map<string, Promise<DecideResult>>();

  constructor(
    readonly engine: Engine,
    readonly store: DecisionStore,
    private readonly now: () => number = Date.now,
    maxBatch = 1000,
    readonly metrics: Metrics | null = null,
  ) {
    this.writer = new GroupCommitWriter(store, maxBatch);
  }

  get batchesWritten(): number {
    return this.writer.batches;
  }

  async decide(input: unknown): Promise<DecideResult> {
    const checked = validateTransaction(input);
    if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
    const tx = checked.value;
    const hash = payloadHash(tx);
    const pending = this.inFlight.get(tx.transaction_id);
    if (pending !== undefined) return this.compare(await pending, hash, tx.transaction_id);
    const work = this.decideNew(tx, hash);
    this.inFlight.set(tx.transaction_id, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(tx.transaction_id);
    }
  }

  private async decideNew(tx: Transaction, hash: string): Promise<DecideResult> {
    const stored = await this.store.getTransaction(tx.transaction_id);
    if (stored !== null) {
      const same = payloadHash(stored.transaction) === hash;
      return { kind: same ? 'duplicate' : 'conflict', decision: stored.decision };
    }
    const started = performance.now();
    const decision = this.engine.score(tx);
    this.metrics?.observeDecision(decision, (performance.now() - started) / 1000);
    const saved = await this.writer.write({
      transaction: tx,
      decision,
      payload_hash: hash,
      decided_at: this.now(),
    });
    return saved;
  }

  /** A request that raced the first submission of its id: same payload is a duplicate, another is a conflict. */
  private async compare(first: DecideResult, hash: string, id: string): Promise<DecideResult> {
    if (first.kind === 'invalid') return first;
    const stored = await this.store.getTransaction(id);
    if (stored === null) return { kind: 'conflict', decision: first.decision };
    return {
      kind: payloadHash(stored.transaction) === hash ? 'duplicate' : 'conflict',
      decision: stored.decision,
    };
  }

  /**
   * Records an analyst's verdict: status and audit entry in one database transaction, then the label to the
   * engine (confirmed_fraud → fraud, legitimate → legit). Null for an unknown transaction.
   */
  async review(
    transactionId: string,
    status: CaseStatus,
    actor: string,
    note: string | null,
  ): Promise<StatusChange | null> {
    const at = this.now();
    const change = await this.store.setStatus(transactionId, status, actor, note, at);
    if (change === null) return null;
    const merchant = change.transaction.merchant_id;
    if (merchant !== undefined && (status === 'confirmed_fraud' || status === 'legitimate')) {
      this.engine.feedback(transactionId, status === 'confirmed_fraud' ? 'fraud' : 'legit', at, merchant);
    }
    return change;
  }
}
