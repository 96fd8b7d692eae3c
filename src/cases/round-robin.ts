/**
 * Round-robin assignment over a queue's members, as pure functions: the store runs them inside the transaction
 * that holds the queue's row lock, so two processes never hand out the same turn or exceed a capacity.
 */
import type { QueueMember } from './queue-model.ts';

/**
 * The member whose turn it is: the first after `lastAssigned` (in the members' order, wrapping around) whose
 * open assigned cases (`load`) are below their capacity; null when everyone is full. A `lastAssigned` no longer
 * a member starts the turn at the first member.
 */
export function nextMember(
  members: readonly QueueMember[],
  load: ReadonlyMap<string, number>,
  lastAssigned: string | null,
): string | null {
  const n = members.length;
  if (n === 0) return null;
  const last = lastAssigned === null ? -1 : members.findIndex((m) => m.name === lastAssigned);
  for (let step = 1; step <= n; step++) {
    const m = members[(last + step + n) % n]!;
    if ((load.get(m.name) ?? 0) < m.capacity) return m.name;
  }
  return null;
}

export interface RoundRobinResult {
  /** The member each case went to, in the order of the cases given; cases past the capacity are left out. */
  assignments: { case_id: string; member: string }[];
  /** The member of the last assignment (the queue's cursor after this round); unchanged when none was made. */
  last_assigned: string | null;
}

/** Deals `caseIds` (oldest first) out in turns, counting each assignment against the member's capacity. */
export function dealCases(
  caseIds: readonly string[],
  members: readonly QueueMember[],
  load: ReadonlyMap<string, number>,
  lastAssigned: string | null,
): RoundRobinResult {
  const counts = new Map(load);
  const assignments: RoundRobinResult['assignments'] = [];
  let last = lastAssigned;
  for (const caseId of caseIds) {
    const member = nextMember(members, counts, last);
    if (member === null) break;
    assignments.push({ case_id: caseId, member });
    counts.set(member, (counts.get(member) ?? 0) + 1);
    last = member;
  }
  return { assignments, last_assigned: last };
}
