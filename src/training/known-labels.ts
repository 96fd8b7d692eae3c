/**
 * The label of each transaction as known at a given time: the one place training, the retrain policy and the
 * live model metrics ask "was this fraud, and since when did we know?", so none of them can use a label before
 * it was known.
 *
 * Sources: analysts' verdicts (from the audit trail) and imported labels (chargebacks, fraud reports: `labels
 * import`, POST /api/v1/labels), each at the time it became known. The latest known by `cutoff` wins; at the
 * same time an import wins over a verdict (outside evidence, such as a chargeback, corrects an analyst).
 */
import type { DecisionStore } from '../store/types.ts';

export interface KnownLabel {
  fraud: boolean;
  /** When the label became known, epoch ms. */
  known_at: number;
  source: 'verdict' | 'import';
}

const PAGE = 1000;

/** The latest label known at or before `cutoff` of every labelled transaction, by transaction id. */
export async function knownLabels(store: DecisionStore, cutoff: number): Promise<Map<string, KnownLabel>> {
  const latest = new Map<string, KnownLabel>();
  let after: number | null = null;
  for (;;) {
    const page = await store.listVerdicts(after, PAGE);
    for (const v of page) {
      if (v.at > cutoff) continue;
      const seen = latest.get(v.transaction_id);
      if (seen === undefined || seen.known_at <= v.at)
        latest.set(v.transaction_id, { fraud: v.fraud, known_at: v.at, source: 'verdict' });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.audit_id;
  }
  let afterSeq: number | null = null;
  for (;;) {
    const page = await store.listLabels(afterSeq, PAGE);
    for (const l of page) {
      if (l.known_at > cutoff) continue;
      const seen = latest.get(l.transaction_id);
      if (seen === undefined || seen.known_at <= l.known_at)
        latest.set(l.transaction_id, { fraud: l.fraud, known_at: l.known_at, source: 'import' });
    }
    if (page.length < PAGE) return latest;
    afterSeq = page[page.length - 1]!.seq;
  }
}
