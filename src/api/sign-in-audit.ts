/**
 * Failed sign-ins in the audit trail (PCI DSS 10.2.4): a refused key or token is written with the reason and the
 * address, never the credential. Rate-limited, so that a flood of wrong keys cannot fill the table: at most
 * `perAddress` entries per address and `total` in all per window; the rest are only counted in the log.
 */
import type { FastifyRequest } from 'fastify';
import type { DecisionStore } from '../store/types.ts';
import { addressBudgetKey } from './rate-limit.ts';
import { WindowCounters } from './window-counters.ts';

export interface SignInAuditOptions {
  perAddress?: number;
  total?: number;
  windowMs?: number;
  now?: () => number;
}

export type RecordRefusal = (request: FastifyRequest, reason: string) => void;

export function failedSignInAudit(store: DecisionStore, options: SignInAuditOptions = {}): RecordRefusal {
  const perAddress = options.perAddress ?? 5;
  const total = options.total ?? 100;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const addresses = new WindowCounters(windowMs, 10_000);
  const everyone = new WindowCounters(windowMs, 1);
  return (request, reason) => {
    const at = now();
    const address = request.ip;
    if (
      addresses.hit(addressBudgetKey(address), at).count > perAddress ||
      everyone.hit('all', at).count > total
    ) {
      request.log.warn({ address, reason }, 'failed sign-in not audited (audit rate limit)');
      return;
    }
    // Not awaited: a refusal answers at once; the entry follows (and a failure to write it is logged).
    store
      .audit({
        at,
        actor: 'anonymous',
        action: 'sign_in_failed',
        transaction_id: null,
        old_value: null,
        new_value: reason,
        note: `from ${address} to ${request.method} ${request.routeOptions.url ?? request.url}`,
      })
      .catch((e: unknown) => request.log.error({ err: e, address }, 'failed sign-in could not be audited'));
  };
}
