/** Recording a verdict, shared by the queue and the detail page. */
import { api } from './api.ts';
import type { CaseStatus } from './types.ts';

export type Verdict = Exclude<CaseStatus, 'open'>;

export const VERDICTS: { status: Verdict; label: string; key: string }[] = [
  { status: 'confirmed_fraud', label: 'Confirm fraud', key: 'f' },
  { status: 'legitimate', label: 'Mark legitimate', key: 'l' },
  { status: 'under_review', label: 'Under review', key: 'u' },
];

export function recordVerdict(transactionId: string, status: Verdict, note?: string) {
  return api<{ transaction_id: string; old_status: CaseStatus; status: CaseStatus }>(
    `/api/v1/anomalies/${encodeURIComponent(transactionId)}`,
    { method: 'PUT', body: note ? { status, note } : { status } },
  );
}
