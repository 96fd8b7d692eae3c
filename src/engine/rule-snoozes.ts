/**
 * Rule snoozes as the engine consults them (issue 17): one rule muted for one account, merchant or device until a
 * time. Built off the decision path from the snoozes in force; the engine asks it only when a rule has fired, with
 * no allocation (one map per entity kind, keyed by the entity's id, then by rule id).
 */
import type { Transaction } from './transaction.ts';

export const SNOOZE_ENTITY_TYPES = ['account', 'merchant', 'device'] as const;
export type SnoozeEntityType = (typeof SNOOZE_ENTITY_TYPES)[number];

/** What the engine needs of one snooze. */
export interface ActiveSnooze {
  id: string;
  rule_id: string;
  entity_type: SnoozeEntityType;
  entity_id: string;
  /** Epoch ms: the snooze mutes transactions dated before it (transaction time, not the clock). */
  until: number;
}

/** A fired rule the engine skipped because of a snooze, as a decision reports it. */
export interface SnoozedRule {
  rule: string;
  snooze_id: string;
  entity_type: SnoozeEntityType;
  until: number;
}

type ByEntity = Map<string, Map<string, ActiveSnooze>>;

export class SnoozeIndex {
  private readonly accounts: ByEntity = new Map();
  private readonly merchants: ByEntity = new Map();
  private readonly devices: ByEntity = new Map();
  readonly size: number;

  constructor(snoozes: readonly ActiveSnooze[]) {
    for (const s of snoozes) {
      const byEntity =
        s.entity_type === 'account'
          ? this.accounts
          : s.entity_type === 'merchant'
            ? this.merchants
            : this.devices;
      let rules = byEntity.get(s.entity_id);
      if (rules === undefined) byEntity.set(s.entity_id, (rules = new Map()));
      const existing = rules.get(s.rule_id);
      // Two snoozes of one rule on one entity: the one that lasts longer mutes.
      if (existing === undefined || existing.until < s.until) rules.set(s.rule_id, s);
    }
    this.size = snoozes.length;
  }

  /** The snooze muting rule `ruleId` for this transaction, or null: account first, then merchant, then device. */
  find(ruleId: string, tx: Transaction): ActiveSnooze | null {
    const at = tx.timestamp;
    const byAccount = this.accounts.size === 0 ? undefined : this.accounts.get(tx.account_id)?.get(ruleId);
    if (byAccount !== undefined && at < byAccount.until) return byAccount;
    if (tx.merchant_id !== undefined && this.merchants.size !== 0) {
      const s = this.merchants.get(tx.merchant_id)?.get(ruleId);
      if (s !== undefined && at < s.until) return s;
    }
    if (tx.device_id !== undefined && this.devices.size !== 0) {
      const s = this.devices.get(tx.device_id)?.get(ruleId);
      if (s !== undefined && at < s.until) return s;
    }
    return null;
  }
}
