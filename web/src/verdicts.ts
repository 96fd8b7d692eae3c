/** Recording a verdict or reopening a case, shared by the queue and the detail page. */
import { api } from './api.ts';
import type { CaseStatus } from './types.ts';

export type Verdict = 'under_review' | 'confirmed_fraud' | 'legitimate';

export const VERDICTS: { status: Verdict; label: string; key: string }[] = [
  { status: 'confirmed_fraud', label: 'Confirm fraud', key: 'f' },
  { status: 'legitimate', label: 'Mark legitimate', key: 'l' },
  { status: 'under_review', label: 'Under review', key: 'u' },
];

interface StatusAnswer {
  transaction_id: string;
  old_status: CaseStatus;
  status: CaseStatus;
  /** False when the case already had that status: nothing was recorded again. */
  changed: boolean;
}

export function recordVerdict(transactionId: string, status: Verdict, note?: string) {
  return api<StatusAnswer>(`/api/v1/anomalies/${encodeURIComponent(transactionId)}`, {
    method: 'PUT',
    body: note ? { status, note } : { status },
  });
}

/** A closed case or a disputed decline back to open (audited as case_reopened). */
export function reopenCase(transactionId: string, note?: string) {
  return api<StatusAnswer>(`/api/v1/anomalies/${encodeURIComponent(transactionId)}/reopen`, {
    method: 'POST',
    body: note ? { note } : {},
  });
}
