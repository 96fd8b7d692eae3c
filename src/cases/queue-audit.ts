/** How queue changes read in the audit trail: the definition (not the cursor or the times) as JSON. */
import type { QueueRecord } from './queue-model.ts';

export const QUEUE_AUDIT_ACTIONS = {
  created: 'queue_created',
  updated: 'queue_updated',
  deleted: 'queue_deleted',
  /** A case given to a member by auto-assignment (actor AUTO_ASSIGNMENT_ACTOR). */
  assigned: 'case_assigned',
} as const;

export const AUTO_ASSIGNMENT_ACTOR = 'auto-assignment';

export function queueDefinitionText(q: QueueRecord): string {
  return JSON.stringify({
    name: q.name,
    position: q.position,
    filter: q.filter,
    members: q.members,
    sla_seconds: q.sla_seconds,
  });
}
