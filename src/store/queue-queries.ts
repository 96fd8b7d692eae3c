/**
 * The case_queues SQL both stores share (migration 15): a queue's filter and members are JSON text, read back
 * into QueueRecord here. Only the placeholders differ between the dialects.
 */
import type { QueueDefinition, QueueRecord } from '../cases/queue-model.ts';

/** What an update may change; the name is the queue's identity and stays. */
export type QueueChanges = Partial<Omit<QueueDefinition, 'name'>>;

export const QUEUE_COLUMNS =
  'name, position, filter, members, sla_seconds, last_assigned, created_at, created_by, updated_at, updated_by';

export const LIST_QUEUES_SQL = `SELECT ${QUEUE_COLUMNS} FROM case_queues ORDER BY position, name`;

export const QUEUE_BY_NAME_SQL = (p: (n: number) => string): string =>
  `SELECT ${QUEUE_COLUMNS} FROM case_queues WHERE name = ${p(1)}`;

export const INSERT_QUEUE_SQL = (p: (n: number) => string): string =>
  `INSERT INTO case_queues (${QUEUE_COLUMNS}) VALUES (${Array.from({ length: 10 }, (_, i) => p(i + 1)).join(', ')})
   ON CONFLICT (name) DO NOTHING`;

export const UPDATE_QUEUE_SQL = (p: (n: number) => string): string =>
  `UPDATE case_queues SET position = ${p(1)}, filter = ${p(2)}, members = ${p(3)}, sla_seconds = ${p(4)},
     updated_at = ${p(5)}, updated_by = ${p(6)} WHERE name = ${p(7)}`;

export const DELETE_QUEUE_SQL = (p: (n: number) => string): string =>
  `DELETE FROM case_queues WHERE name = ${p(1)}`;

/** The round-robin cursor after an automatic assignment. */
export const SET_LAST_ASSIGNED_SQL = (p: (n: number) => string): string =>
  `UPDATE case_queues SET last_assigned = ${p(1)} WHERE name = ${p(2)}`;

export function queueValues(q: QueueRecord): unknown[] {
  return [
    q.name,
    q.position,
    JSON.stringify(q.filter),
    JSON.stringify(q.members),
    q.sla_seconds,
    q.last_assigned,
    q.created_at,
    q.created_by,
    q.updated_at,
    q.updated_by,
  ];
}

export function updateQueueValues(q: QueueRecord): unknown[] {
  return [
    q.position,
    JSON.stringify(q.filter),
    JSON.stringify(q.members),
    q.sla_seconds,
    q.updated_at,
    q.updated_by,
    q.name,
  ];
}

interface QueueRow {
  name: string;
  position: number | string;
  filter: string;
  members: string;
  sla_seconds: number | string;
  last_assigned: string | null;
  created_at: number | string;
  created_by: string;
  updated_at: number | string;
  updated_by: string;
}

/** PostgreSQL answers BIGINT as text. */
export function fromQueueRow(row: QueueRow): QueueRecord {
  return {
    name: row.name,
    position: Number(row.position),
    filter: JSON.parse(row.filter) as QueueRecord['filter'],
    members: JSON.parse(row.members) as QueueRecord['members'],
    sla_seconds: Number(row.sla_seconds),
    last_assigned: row.last_assigned,
    created_at: Number(row.created_at),
    created_by: row.created_by,
    updated_at: Number(row.updated_at),
    updated_by: row.updated_by,
  };
}

/** The record after `changes`, by `actor` at `at`. */
export function changedQueue(q: QueueRecord, changes: QueueChanges, at: number, actor: string): QueueRecord {
  return {
    ...q,
    position: changes.position ?? q.position,
    filter: changes.filter ?? q.filter,
    members: changes.members ?? q.members,
    sla_seconds: changes.sla_seconds ?? q.sla_seconds,
    updated_at: at,
    updated_by: actor,
  };
}
