/**
 * The events a committed decision announces: decision.flagged (review, block and review) and decision.declined
 * (decline); an approval announces nothing. Keyed by transaction id.
 */
import type { DomainEvent } from '../service/domain-events.ts';
import type { NewDecision } from '../store/types.ts';

export function decisionEvent(record: NewDecision): DomainEvent | null {
  const { decision, transaction } = record;
  if (decision.outcome === 'approve') return null;
  return {
    type: decision.outcome === 'decline' ? 'decision.declined' : 'decision.flagged',
    key: transaction.transaction_id,
    at: record.decided_at,
    data: {
      transaction_id: transaction.transaction_id,
      account_id: transaction.account_id,
      merchant_id: transaction.merchant_id ?? null,
      amount: transaction.amount,
      currency: transaction.currency,
      outcome: decision.outcome,
      score: decision.score,
      reasons: decision.reasons,
      model_version: decision.model_version,
      rules_version: decision.rules_version,
      degraded: decision.degraded,
      decided_at: new Date(record.decided_at).toISOString(),
    },
  };
}

/** label.recorded: a verdict (source `verdict`) or an imported label, keyed by transaction id. */
export function labelEvent(
  transactionId: string,
  fraud: boolean,
  source: string,
  at: number,
  extra: Record<string, unknown> = {},
): DomainEvent {
  return {
    type: 'label.recorded',
    key: transactionId,
    at,
    data: { transaction_id: transactionId, fraud, source, known_at: new Date(at).toISOString(), ...extra },
  };
}
