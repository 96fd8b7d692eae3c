/**
 * The case backlog per queue (GET /api/v1/queues/backlog): active and unassigned cases and the oldest one's age
 * against the queue's SLA, a breach in red. Choosing a queue shows its cases.
 */
import { formatAge, type BacklogRow } from '../case-api.ts';

export function BacklogStrip({
  rows,
  chosen,
  onChoose,
}: {
  rows: readonly BacklogRow[];
  /** The queue whose cases are listed; undefined when the list is not per queue. */
  chosen: string | undefined;
  onChoose: (queue: string) => void;
}) {
  if (rows.length === 0) return <p className="muted">No active cases in any queue.</p>;
  return (
    <ul className="backlog" aria-label="Backlog per queue">
      {rows.map((row) => {
        const name = row.queue ?? 'no queue';
        const body = (
          <>
            <strong>{name}</strong>
            <span>{row.active} active</span>
            <span>{row.unassigned} unassigned</span>
            <span>
              oldest {row.oldest_age_seconds === null ? '—' : formatAge(row.oldest_age_seconds)}
              {row.sla_seconds !== null && ` of ${formatAge(row.sla_seconds)} SLA`}
            </span>
            {row.breached && <span className="breach">SLA breached</span>}
          </>
        );
        return (
          <li
            key={name}
            className={row.breached ? 'breached' : undefined}
            data-queue={name}
            aria-current={row.queue !== null && row.queue === chosen ? 'true' : undefined}
          >
            {row.queue === null ? (
              <div>{body}</div>
            ) : (
              <button type="button" className="link" onClick={() => onChoose(row.queue!)}>
                {body}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
