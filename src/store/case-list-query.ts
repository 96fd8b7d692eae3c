/**
 * Listing account cases, the same on both stores: the filters of a CaseQuery as a WHERE clause, the order of a
 * sort, the page size, and the keyset cursor (opaque to clients, checked when it comes back).
 */
import { isStorableText, MAX_ID_LENGTH } from '../engine/transaction.ts';
import { ACTIVE_CASE_STATUSES, type AccountCase, type CaseQuery } from '../cases/case-types.ts';
import { MAX_PAGE } from './types.ts';

type Placeholder = (n: number) => string;

/** Where a page of listCases ends; only what the sort pages by. */
interface CaseCursor {
  priority: number;
  opened_at: number;
  id: string;
}

export function encodeCaseCursor(sort: CaseQuery['sort'], c: AccountCase): string {
  const key = sort === 'age' ? ['age', c.opened_at, c.id] : ['priority', c.priority, c.opened_at, c.id];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Checks what a client may have crafted; RangeError `cursor: ...` (a 400) for anything this server did not issue. */
export function decodeCaseCursor(cursor: string, sort: CaseQuery['sort']): CaseCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const parts = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  const [tag, ...rest] = parts;
  const [priority, openedAt, id] = sort === 'age' ? [0, ...rest] : rest;
  const fits =
    tag === (sort === 'age' ? 'age' : 'priority') &&
    parts.length === (sort === 'age' ? 3 : 4) &&
    Number.isSafeInteger(priority) &&
    Number.isSafeInteger(openedAt) &&
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= MAX_ID_LENGTH &&
    isStorableText(id);
  if (!fits) throw new RangeError(`cursor: not a cursor this server issued for sort=${sort ?? 'priority'}`);
  return { priority: priority as number, opened_at: openedAt as number, id: id as string };
}

export function caseLimit(q: CaseQuery): number {
  const limit = q.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw new RangeError(`limit: must be an integer from 1 to ${MAX_PAGE}`);
  return limit;
}

export function caseOrder(q: CaseQuery): string {
  return q.sort === 'age' ? 'opened_at, id' : 'priority DESC, opened_at, id';
}

/** WHERE clause of a cases list or count: the filters, and with `withCursor` where the page starts. */
export function caseWhere(
  q: CaseQuery,
  p: Placeholder,
  withCursor: boolean,
): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  const add = (value: unknown): string => {
    params.push(value);
    return p(params.length);
  };
  const statuses = q.status ?? ACTIVE_CASE_STATUSES;
  parts.push(statuses.length === 0 ? '1 = 0' : `status IN (${statuses.map((s) => add(s)).join(', ')})`);
  if (q.assignee === null) parts.push('assignee IS NULL');
  else if (q.assignee !== undefined) parts.push(`assignee = ${add(q.assignee)}`);
  if (q.queue !== undefined) parts.push(`queue = ${add(q.queue)}`);
  if (q.account_id !== undefined) parts.push(`account_id = ${add(q.account_id)}`);
  if (q.min_score !== undefined) parts.push(`max_score >= ${add(q.min_score)}`);
  if (q.opened_before !== undefined) parts.push(`opened_at <= ${add(q.opened_before)}`);
  if (withCursor && q.cursor !== undefined) {
    const c = decodeCaseCursor(q.cursor, q.sort);
    // Values are added in the order their placeholders appear: SQLite's are positional.
    const after = (): string =>
      `(opened_at > ${add(c.opened_at)} OR (opened_at = ${add(c.opened_at)} AND id > ${add(c.id)}))`;
    if (q.sort === 'age') parts.push(after());
    else {
      const below = `priority < ${add(c.priority)}`;
      const same = `priority = ${add(c.priority)}`;
      parts.push(`(${below} OR (${same} AND ${after()}))`);
    }
  }
  return { where: parts.join(' AND '), params };
}
