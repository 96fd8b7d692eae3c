/**
 * One grouping sweep's bookkeeping, the same on both stores: which case each flagged decision goes to (the case
 * this sweep already has for its account, the store's joinable case, or a new one), and which cases the sweep
 * opened and which it added alerts to. The stores only read the joinable case and write what the plan says.
 */
import { randomUUID } from 'node:crypto';
import { newCase, withAlert, withinWindow, type AlertInput } from './case-lifecycle.ts';
import type { AccountCase, GroupingResult } from './case-types.ts';

export class GroupingPlan {
  /** The case each account's next alert may join, as this sweep left it. */
  private readonly current = new Map<string, AccountCase>();
  private readonly opened = new Map<string, AccountCase>();
  private readonly joined = new Map<string, { case: AccountCase; transaction_ids: string[] }>();

  constructor(
    private readonly windowMs: number,
    private readonly at: number,
  ) {}

  /** The case this sweep already holds for the alert's account and window; undefined: ask the store. */
  known(alert: AlertInput): AccountCase | undefined {
    const target = this.current.get(alert.account_id);
    return target !== undefined && withinWindow(target, alert.decided_at, this.windowMs) ? target : undefined;
  }

  /** A case the store found, as this sweep left it (a store that writes at the end has not stored it yet). */
  asLeft(found: AccountCase): AccountCase {
    return this.joined.get(found.id)?.case ?? this.opened.get(found.id) ?? found;
  }

  /** Puts the alert in `target` (undefined: a new case); the case after, and whether this opened it. */
  place(alert: AlertInput, target: AccountCase | undefined): { case: AccountCase; opened: boolean } {
    let after: AccountCase;
    if (target === undefined) {
      after = newCase(`case_${randomUUID()}`, alert, this.at);
      this.opened.set(after.id, after);
    } else {
      after = withAlert(target, alert, this.at);
      if (this.opened.has(after.id)) this.opened.set(after.id, after);
      else {
        const entry = this.joined.get(after.id) ?? { case: after, transaction_ids: [] };
        entry.case = after;
        entry.transaction_ids.push(alert.transaction_id);
        this.joined.set(after.id, entry);
      }
    }
    this.current.set(alert.account_id, after);
    return { case: after, opened: target === undefined };
  }

  openedCases(): AccountCase[] {
    return [...this.opened.values()];
  }

  joinedCases(): AccountCase[] {
    return [...this.joined.values()].map((j) => j.case);
  }

  result(grouped: number): GroupingResult {
    return { opened: this.openedCases(), joined: [...this.joined.values()], grouped };
  }
}
