/**
 * The rule_snoozes SQL both stores share (migration 14): a snooze is active from its creation until `until`, or
 * until `ended_at` when someone ended it early. Only the placeholders differ between the dialects.
 */
import type { SnoozeEntityType } from '../engine/rule-snoozes.ts';

/** A rule snooze as the store keeps it (epoch ms times). */
export interface RuleSnoozeRecord {
  id: string;
  rule_id: string;
  entity_type: SnoozeEntityType;
  entity_id: string;
  reason: string;
  created_at: number;
  created_by: string;
  until: number;
  ended_at: number | null;
  ended_by: string | null;
}

export interface SnoozeQuery {
  rule_id?: string;
  entity_type?: SnoozeEntityType;
  entity_id?: string;
  /** true: only those active at `at`; false: only those ended or expired by then. */
  active?: boolean;
  /** The time `active` is judged at, epoch ms (required with `active`). */
  at?: number;
  /** Default 100, at most MAX_SNOOZES. */
  limit?: number;
}

export const MAX_SNOOZES = 1000;

/** What ending a snooze did: ended now, or nothing because it was no longer active (the record as it is). */
export interface SnoozeEnd {
  result: 'ended' | 'not_active';
  snooze: RuleSnoozeRecord;
}

export const SNOOZE_COLUMNS =
  'id, rule_id, entity_type, entity_id, reason, created_at, created_by, until, ended_at, ended_by';

export function snoozeValues(s: RuleSnoozeRecord): unknown[] {
  return [
    s.id,
    s.rule_id,
    s.entity_type,
    s.entity_id,
    s.reason,
    s.created_at,
    s.created_by,
    s.until,
    s.ended_at,
    s.ended_by,
  ];
}

/** Is the snooze muting its rule at `at`. */
export function snoozeActive(s: RuleSnoozeRecord, at: number): boolean {
  return s.ended_at === null && s.until > at;
}

/** SELECT of the snoozes matching `q`, newest first, with its parameters. */
export function listSnoozesSql(
  q: SnoozeQuery,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const add = (value: unknown): string => {
    params.push(value);
    return placeholder(params.length);
  };
  const parts: string[] = [];
  if (q.rule_id !== undefined) parts.push(`rule_id = ${add(q.rule_id)}`);
  if (q.entity_type !== undefined) parts.push(`entity_type = ${add(q.entity_type)}`);
  if (q.entity_id !== undefined) parts.push(`entity_id = ${add(q.entity_id)}`);
  if (q.active !== undefined) {
    const at = add(q.at ?? Date.now());
    parts.push(
      q.active ? `(ended_at IS NULL AND until > ${at})` : `(ended_at IS NOT NULL OR until <= ${at})`,
    );
  }
  const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_SNOOZES);
  const where = parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
  return {
    sql: `SELECT ${SNOOZE_COLUMNS} FROM rule_snoozes ${where} ORDER BY created_at DESC, id LIMIT ${add(limit)}`,
    params,
  };
}

export const SNOOZE_BY_ID_SQL = (placeholder: (n: number) => string): string =>
  `SELECT ${SNOOZE_COLUMNS} FROM rule_snoozes WHERE id = ${placeholder(1)}`;

export const END_SNOOZE_SQL = (placeholder: (n: number) => string): string =>
  `UPDATE rule_snoozes SET ended_at = ${placeholder(1)}, ended_by = ${placeholder(2)} WHERE id = ${placeholder(3)}`;
