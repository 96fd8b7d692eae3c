/**
 * What a stored verdict does next, the same whether an analyst gave it on one transaction or by closing an
 * account case (issue 17): the label goes to this process's engine (merchant risk, once transaction time passes
 * it) and `label.recorded` to the event sink (webhooks).
 */
import type { Engine } from '../engine/engine.ts';
import { labelEvent } from '../webhooks/decision-events.ts';
import type { DomainEventSink } from './domain-events.ts';

export interface VerdictLabel {
  transaction_id: string;
  /** Without a merchant the engine has nothing to learn it into (merchant risk); the event is sent all the same. */
  merchant_id: string | null | undefined;
  /** The transaction's account: merchant risk counts the different accounts behind its fraud labels. */
  account_id: string;
  fraud: boolean;
}

export function feedVerdictLabel(
  engine: Engine,
  events: DomainEventSink,
  label: VerdictLabel,
  actor: string,
  at: number,
): void {
  if (label.merchant_id !== undefined && label.merchant_id !== null)
    engine.feedback(
      label.transaction_id,
      label.fraud ? 'fraud' : 'legit',
      at,
      label.merchant_id,
      label.account_id,
    );
  events.publish(labelEvent(label.transaction_id, label.fraud, 'verdict', at, { actor }));
}
