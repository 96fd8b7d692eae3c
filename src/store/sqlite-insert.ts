/**
 * Writing a batch of decisions to SQLite, in the form both write paths share: the store's own connection (an
 * in-memory database) and the writer thread (a database file). Rows travel as flat arrays of primitives and the
 * batch's feature vectors as one packed array, because that is what crosses a thread boundary cheaply.
 */
import type Database from 'better-sqlite3';
import { decisionRowValues, featuresToBytes, type DecisionRowValues } from './queries.ts';
import type { NewDecision } from './types.ts';

export interface InsertBatch {
  /** Each decision's column values (features excepted: they travel packed). */
  rows: DecisionRowValues[];
  /** Row i's features are `features[i * width, (i + 1) * width)` when `hasFeatures[i]` is 1. */
  features: Float64Array;
  hasFeatures: Uint8Array;
  width: number;
}

/** Per row: null when inserted, else the stored row's payload hash and decision (JSON) for the caller to compare. */
export type InsertOutcome = null | { payload_hash: string; decision: string };

export function encodeBatch(records: readonly NewDecision[]): InsertBatch {
  const width = records.find((r) => r.features !== undefined)?.features?.length ?? 0;
  const features = new Float64Array(width * records.length);
  const hasFeatures = new Uint8Array(records.length);
  const rows = records.map((r, i): DecisionRowValues => {
    if (r.features !== undefined && r.features.length === width) {
      features.set(r.features, i * width);
      hasFeatures[i] = 1;
    }
    return decisionRowValues(r);
  });
  return { rows, features, hasFeatures, width };
}

const INSERT_SQL = `INSERT INTO transactions (transaction_id, account_id, merchant_id, amount, occurred_at, payload,
    payload_hash, score, outcome, decision, decided_at, status, model_version, decided_by, shadow_version, shadow_score,
    updated_at, features)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (transaction_id) DO NOTHING`;

const EXISTING_SQL = 'SELECT payload_hash, decision FROM transactions WHERE transaction_id = ?';

/** Prepares the statements once per connection and returns the function that writes a batch in one transaction. */
export function batchInserter(db: Database.Database): (batch: InsertBatch) => InsertOutcome[] {
  const insert = db.prepare(INSERT_SQL);
  const existing = db.prepare(EXISTING_SQL);
  return db.transaction((batch: InsertBatch): InsertOutcome[] => {
    const { rows, features, hasFeatures, width } = batch;
    return rows.map((row, i) => {
      const vector =
        hasFeatures[i] === 1 ? featuresToBytes(features.subarray(i * width, (i + 1) * width)) : null;
      const decidedAt = row[10];
      const inserted = insert.run(...row, decidedAt, vector); // updated_at starts as decided_at
      if (inserted.changes === 1) return null;
      return existing.get(row[0]) as { payload_hash: string; decision: string };
    });
  });
}
