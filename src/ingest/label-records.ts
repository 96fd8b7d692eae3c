/**
 * A label that arrives after the decision: a chargeback or a confirmed-fraud report, from a file
 * (`fraudwatch labels import`) or the API (`POST /api/v1/labels`). One shape for both: the transaction, fraud or
 * not, and when it became known (a chargeback is known on its own date, not when it is imported; without one,
 * the time of import).
 */
import { isStorableText, MAX_ID_LENGTH } from '../engine/transaction.ts';
import { parseLabel } from './column-map.ts';

export interface LabelRecord {
  transaction_id: string;
  fraud: boolean;
  /** Epoch ms, or null for "now". */
  known_at: number | null;
}

/** Columns a label file must have; `known_at` is optional. */
export const LABEL_COLUMNS = ['transaction_id', 'label'] as const;
const KNOWN_FIELDS = new Set(['transaction_id', 'label', 'known_at']);

/** Before this a known time is surely a mistake (seconds for milliseconds, say). */
export const EARLIEST_LABEL_MS = Date.UTC(2000, 0, 1);
/** A clock ahead of ours by this much is tolerated; a label from further in the future is refused. */
export const LABEL_FUTURE_SKEW_MS = 5 * 60_000;

function knownAt(value: unknown, now: number): number | null | string {
  if (value === undefined || value === null || value === '') return null;
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d+$/.test(value.trim())) ms = Number(value.trim());
  else if (typeof value === 'string') ms = Date.parse(value);
  else return 'known_at: must be epoch milliseconds or an ISO 8601 time';
  if (!Number.isFinite(ms)) return 'known_at: must be epoch milliseconds or an ISO 8601 time';
  if (ms < EARLIEST_LABEL_MS)
    return `known_at: ${String(value)} is before 2000 (epoch milliseconds expected)`;
  if (ms > now + LABEL_FUTURE_SKEW_MS) return `known_at: ${String(value)} is in the future`;
  return Math.round(ms);
}

/** The label in a record, or the first problem with it, naming the field. */
export function toLabelRecord(record: Record<string, unknown>, now: number): LabelRecord | { error: string } {
  const unknown = Object.keys(record).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) {
    return { error: `${unknown[0]}: not a label field (transaction_id, label, known_at)` };
  }
  const id = record.transaction_id;
  if (typeof id !== 'string' || id.trim() === '') return { error: 'transaction_id: missing' };
  if (id.length > MAX_ID_LENGTH || !isStorableText(id)) {
    return { error: `transaction_id: at most ${MAX_ID_LENGTH} characters of printable text` };
  }
  const label = parseLabel(record.label);
  if (label === null) {
    return {
      error: `label: ${JSON.stringify(record.label ?? null)} is not a label (fraud or legit, 1 or 0, true or false)`,
    };
  }
  const at = knownAt(record.known_at, now);
  if (typeof at === 'string') return { error: at };
  return { transaction_id: id, fraud: label === 1, known_at: at };
}
