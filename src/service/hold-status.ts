/**
 * Where a held decision (a blocking review, issue 17) stands, as GET /api/v1/transactions/{id} shows it: pending
 * while its case is open or under review, then the analyst's final verdict (legitimate → approved, confirmed
 * fraud → declined) with who gave it and when, read from the audit entry that recorded it. A calling system waits
 * for it by polling that route (or by the `label.recorded` webhook, which the verdict also produces).
 */
import type { AuditEntry, CaseStatus, DecisionStore, StoredTransaction } from '../store/types.ts';

export type HoldStatus = 'pending_review' | 'approved' | 'declined';

export interface HoldView {
  status: HoldStatus;
  /** Who gave the final verdict, and when (ISO 8601); null while pending. */
  decided_by: string | null;
  decided_at: string | null;
}

const FINAL: Partial<Record<CaseStatus, HoldStatus>> = {
  legitimate: 'approved',
  confirmed_fraud: 'declined',
};

/** Audit entries of one transaction looked through for the verdict (the newest first). */
const VERDICT_LOOKBACK = 50;

/** The hold of a stored transaction; null when its decision was not held. */
export async function holdView(stored: StoredTransaction, store: DecisionStore): Promise<HoldView | null> {
  if (stored.decision.hold !== true) return null;
  const final = FINAL[stored.status];
  // A case reopened after its verdict is pending again, as is one never looked at or still under review.
  if (final === undefined) return { status: 'pending_review', decided_by: null, decided_at: null };
  const trail = await store.listAudit({
    transaction_id: stored.transaction.transaction_id,
    order: 'desc',
    limit: VERDICT_LOOKBACK,
  });
  const verdict: AuditEntry | undefined = trail.find(
    (e) => e.new_value === stored.status && e.old_value !== null,
  );
  return {
    status: final,
    decided_by: verdict?.actor ?? null,
    decided_at: new Date(verdict?.at ?? stored.updated_at).toISOString(),
  };
}
