/**
 * Case queues (issue 17): a named filter over open cases, the analysts who work it (each with a capacity: the
 * most open cases assigned to them at once) and the age an open case should not exceed (the SLA). The filter is a
 * small validated shape, never SQL: it is matched in code and in the stores' own queries.
 */
import { isStorableText, MAX_ID_LENGTH, type FieldError } from '../engine/transaction.ts';

/** Every condition given must hold; an empty filter matches every open case. */
export interface QueueFilter {
  /** The case's largest transaction amount is at least this. */
  min_amount?: number;
  /** The case's highest score is at least this (0..1). */
  min_score?: number;
  /** The case's priority is at least this. */
  min_priority?: number;
  /** One of the case's alerts carries this reason code (a rule id such as `new_device@1`, or `model`). */
  reason_code?: string;
}

export interface QueueMember {
  /** The analyst's API key name (what a case's assignee is). */
  name: string;
  /** Most open cases assigned to this member at once; 0 pauses them. */
  capacity: number;
}

export interface QueueDefinition {
  name: string;
  /** Lower first: a case is auto-assigned by the first queue (by position, then name) whose filter it matches. */
  position: number;
  filter: QueueFilter;
  members: QueueMember[];
  /** An open case older than this breaches the queue's SLA. */
  sla_seconds: number;
}

export interface QueueRecord extends QueueDefinition {
  /** The member who got the last automatic assignment: the next turn starts after them (round robin). */
  last_assigned: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export const MAX_QUEUE_NAME = 64;
export const MAX_MEMBERS = 100;
export const MAX_CAPACITY = 10_000;
export const MAX_SLA_SECONDS = 365 * 86_400;
export const MAX_PRIORITY = 1_000_000;
/** Queue names go in URLs and metric labels: letters, digits, and `-`, `_`, `.`, ` ` within. */
export const QUEUE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9 ._-]*$';
const QUEUE_NAME = new RegExp(QUEUE_NAME_PATTERN);

export const FILTER_FIELDS = ['min_amount', 'min_score', 'min_priority', 'reason_code'] as const;

function numberIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

export function checkQueueName(name: unknown, path = 'name'): FieldError[] {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_QUEUE_NAME || !QUEUE_NAME.test(name))
    return [
      {
        path,
        message: `must be 1 to ${MAX_QUEUE_NAME} letters, digits, spaces, '.', '_' or '-', starting with a letter or digit`,
      },
    ];
  return [];
}

export function checkQueueFilter(filter: unknown, path = 'filter'): FieldError[] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    return [{ path, message: 'must be an object' }];
  const f = filter as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(f))
    if (!(FILTER_FIELDS as readonly string[]).includes(key))
      errors.push({ path: `${path}.${key}`, message: `unknown filter; one of ${FILTER_FIELDS.join(', ')}` });
  if (f.min_amount !== undefined && !numberIn(f.min_amount, 0, Number.MAX_SAFE_INTEGER))
    errors.push({ path: `${path}.min_amount`, message: 'must be a finite number >= 0' });
  if (f.min_score !== undefined && !numberIn(f.min_score, 0, 1))
    errors.push({ path: `${path}.min_score`, message: 'must be a number from 0 to 1' });
  if (
    f.min_priority !== undefined &&
    !(Number.isInteger(f.min_priority) && numberIn(f.min_priority, -MAX_PRIORITY, MAX_PRIORITY))
  )
    errors.push({ path: `${path}.min_priority`, message: `must be an integer within ±${MAX_PRIORITY}` });
  if (
    f.reason_code !== undefined &&
    !(
      typeof f.reason_code === 'string' &&
      f.reason_code.length > 0 &&
      f.reason_code.length <= MAX_ID_LENGTH &&
      isStorableText(f.reason_code)
    )
  )
    errors.push({ path: `${path}.reason_code`, message: `must be 1 to ${MAX_ID_LENGTH} characters of text` });
  return errors;
}

export function checkQueueMembers(members: unknown, path = 'members'): FieldError[] {
  if (!Array.isArray(members)) return [{ path, message: 'must be an array' }];
  if (members.length > MAX_MEMBERS) return [{ path, message: `at most ${MAX_MEMBERS} members` }];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  members.forEach((m: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof m !== 'object' || m === null) {
      errors.push({ path: at, message: 'must be an object { name, capacity }' });
      return;
    }
    const { name, capacity, ...rest } = m as Record<string, unknown>;
    for (const key of Object.keys(rest)) errors.push({ path: `${at}.${key}`, message: 'unknown field' });
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ID_LENGTH || !isStorableText(name))
      errors.push({
        path: `${at}.name`,
        message: `must be an API key name of 1 to ${MAX_ID_LENGTH} characters`,
      });
    else if (seen.has(name)) errors.push({ path: `${at}.name`, message: `${name} is a member already` });
    else seen.add(name);
    if (!(Number.isInteger(capacity) && numberIn(capacity, 0, MAX_CAPACITY)))
      errors.push({ path: `${at}.capacity`, message: `must be an integer from 0 to ${MAX_CAPACITY}` });
  });
  return errors;
}

export function checkSlaSeconds(value: unknown, path = 'sla_seconds'): FieldError[] {
  return Number.isInteger(value) && numberIn(value, 1, MAX_SLA_SECONDS)
    ? []
    : [{ path, message: `must be an integer from 1 to ${MAX_SLA_SECONDS} seconds` }];
}

export function checkPosition(value: unknown, path = 'position'): FieldError[] {
  return Number.isInteger(value) && numberIn(value, 0, 1_000_000)
    ? []
    : [{ path, message: 'must be an integer from 0 to 1000000' }];
}

/** Every problem of a whole definition, each naming its field. */
export function checkQueueDefinition(q: QueueDefinition): FieldError[] {
  return [
    ...checkQueueName(q.name),
    ...checkPosition(q.position),
    ...checkQueueFilter(q.filter),
    ...checkQueueMembers(q.members),
    ...checkSlaSeconds(q.sla_seconds),
  ];
}

/** What a queue's filter looks at in a case (the cases' own shape is translated to this). */
export interface QueueCaseFacts {
  max_amount: number;
  max_score: number;
  priority: number;
  reason_codes: readonly string[];
}

export function caseMatchesFilter(filter: QueueFilter, c: QueueCaseFacts): boolean {
  if (filter.min_amount !== undefined && !(c.max_amount >= filter.min_amount)) return false;
  if (filter.min_score !== undefined && !(c.max_score >= filter.min_score)) return false;
  if (filter.min_priority !== undefined && !(c.priority >= filter.min_priority)) return false;
  if (filter.reason_code !== undefined && !c.reason_codes.includes(filter.reason_code)) return false;
  return true;
}

/** Queues in the order auto-assignment tries them: by position, then name. */
export function queuesInOrder<Q extends QueueDefinition>(queues: readonly Q[]): Q[] {
  return [...queues].sort(
    (a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** The first queue whose filter the case matches; null when none does. */
export function firstMatchingQueue<Q extends QueueDefinition>(
  queues: readonly Q[],
  c: QueueCaseFacts,
): Q | null {
  for (const q of queuesInOrder(queues)) if (caseMatchesFilter(q.filter, c)) return q;
  return null;
}
