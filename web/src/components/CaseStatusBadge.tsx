/** An account case's status as a badge, coloured like the transaction statuses it ends in. */
import { CASE_STATUS_LABELS, type AccountCaseStatus } from '../case-api.ts';

export function CaseStatusBadge({ status }: { status: AccountCaseStatus }) {
  return (
    <span className={`badge case-status-${status}`} data-case-status={status}>
      {CASE_STATUS_LABELS[status] ?? status}
    </span>
  );
}
