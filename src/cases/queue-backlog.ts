/**
 * A queue's backlog against its SLA, for GET /api/v1/queues/backlog and the case gauges: every defined queue (a
 * queue with nothing in it is 0, not missing, so a dashboard and an alert see it), then the unrouted row (queue
 * null) when active cases match no queue.
 */
import type { QueueBacklog } from './case-types.ts';
import type { QueueRecord } from './queue-model.ts';

export interface QueueBacklogRow extends QueueBacklog {
  /** How old its oldest active case is now; null when it has none. */
  oldest_age_seconds: number | null;
  /** The queue's target age; null for the unrouted row. */
  sla_seconds: number | null;
  /** Its oldest active case is older than the SLA. */
  breached: boolean;
}

export function backlogRows(
  queues: readonly QueueRecord[],
  backlog: readonly QueueBacklog[],
  now: number,
): QueueBacklogRow[] {
  const byQueue = new Map(backlog.map((b) => [b.queue, b]));
  const row = (queue: string | null, slaSeconds: number | null): QueueBacklogRow => {
    const b = byQueue.get(queue);
    const oldest = b?.oldest_opened_at ?? null;
    const age = oldest === null ? null : Math.max(0, Math.floor((now - oldest) / 1000));
    return {
      queue,
      active: b?.active ?? 0,
      unassigned: b?.unassigned ?? 0,
      oldest_opened_at: oldest,
      oldest_age_seconds: age,
      sla_seconds: slaSeconds,
      breached: age !== null && slaSeconds !== null && age > slaSeconds,
    };
  };
  const rows = queues.map((q) => row(q.name, q.sla_seconds));
  // Cases routed to a queue deleted since count with the unrouted until the next sweep routes them again.
  const defined = new Set(queues.map((q) => q.name));
  const strays = backlog.filter((b) => b.queue === null || !defined.has(b.queue));
  if (strays.length > 0) {
    const oldest = strays
      .map((b) => b.oldest_opened_at)
      .filter((t): t is number => t !== null)
      .reduce<number | null>((a, t) => (a === null || t < a ? t : a), null);
    byQueue.set(null, {
      queue: null,
      active: strays.reduce((n, b) => n + b.active, 0),
      unassigned: strays.reduce((n, b) => n + b.unassigned, 0),
      oldest_opened_at: oldest,
    });
    if (byQueue.get(null)!.active > 0) rows.push(row(null, null));
  }
  return rows;
}
