/**
 * The events account cases announce (webhooks): case.opened when grouping opens one, case.closed when an analyst
 * closes one. Keyed by case id, so a case's events reach a receiver in order. Neither carries `score` or
 * `outcome`, so a subscription's outcome and score filters (meant for decisions) let them through.
 */
import type { DomainEvent } from '../service/domain-events.ts';
import type { AccountCase, CaseClose } from './case-types.ts';

export function caseOpenedEvent(c: AccountCase): DomainEvent {
  return {
    type: 'case.opened',
    key: c.id,
    at: c.opened_at,
    data: {
      case_id: c.id,
      account_id: c.account_id,
      status: c.status,
      queue: c.queue,
      priority: c.priority,
      max_score: c.max_score,
      max_amount: c.max_amount,
      alert_count: c.alert_count,
      reason_codes: c.reason_codes,
      opened_at: new Date(c.opened_at).toISOString(),
    },
  };
}

export function caseClosedEvent(close: CaseClose, actor: string, at: number): DomainEvent {
  const c = close.case;
  return {
    type: 'case.closed',
    key: c.id,
    at,
    data: {
      case_id: c.id,
      account_id: c.account_id,
      status: c.status,
      alert_count: c.alert_count,
      labelled: close.labelled.map((l) => l.transaction_id),
      closed_by: actor,
      closed_at: new Date(at).toISOString(),
    },
  };
}
