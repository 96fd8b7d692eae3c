/**
 * Where per-account and per-merchant state lives. The engine is synchronous, so the interface is too: a remote
 * store (Redis) loads the account blocks a batch needs into the arena before scoring (`accounts.restore`) and
 * writes them back after (`accounts.snapshot`). The default keeps everything in memory.
 */
import { AccountArena } from './account-arena.ts';
import { MerchantState } from './merchant-state.ts';

export interface FeatureStoreStats {
  accounts: number;
  merchants: number;
  /** Live account state. */
  account_bytes: number;
  /** Account arena pages held, free blocks included. */
  account_reserved_bytes: number;
  merchant_bytes: number;
}

export interface FeatureStateStore {
  /** Account states, one block per account. */
  readonly accounts: AccountArena;
  /** The merchant's state, created empty on first use. */
  merchant(merchantId: string): MerchantState;
  /** Counts and approximate bytes, for metrics and the memory bound. */
  stats(): FeatureStoreStats;
  /**
   * Evicts a few accounts and merchants (round robin) whose last transaction is before `before`: their windows
   * are empty. Called once per recorded transaction, so memory follows the active population.
   */
  evictIdle(before: number): void;
}

/** Accounts and merchants looked at per `evictIdle` call. */
const ACCOUNT_CHECKS = 2;
const MERCHANT_CHECKS = 1;

export class InMemoryFeatureStore implements FeatureStateStore {
  readonly accounts = new AccountArena();
  private readonly merchants = new Map<string, MerchantState>();
  /** All-time label counts of evicted merchants (fraud, total): the one part of their state that is not empty. */
  private readonly evictedLabels = new Map<string, readonly [number, number]>();
  private merchantSweep: Iterator<[string, MerchantState]> = this.merchants.entries();

  merchant(merchantId: string): MerchantState {
    let state = this.merchants.get(merchantId);
    if (state === undefined) {
      state = new MerchantState();
      const labels = this.evictedLabels.get(merchantId);
      if (labels !== undefined) {
        [state.fraudLabels, state.totalLabels] = labels;
        this.evictedLabels.delete(merchantId);
      }
      this.merchants.set(merchantId, state);
    }
    return state;
  }

  evictIdle(before: number): void {
    this.accounts.evictIdle(before, ACCOUNT_CHECKS);
    for (let i = 0; i < MERCHANT_CHECKS; i++) {
      let next = this.merchantSweep.next();
      if (next.done === true) {
        // A Map iterator visits entries added after it started and skips deleted ones; at its end, start over.
        this.merchantSweep = this.merchants.entries();
        next = this.merchantSweep.next();
        if (next.done === true) return;
      }
      const [id, state] = next.value;
      // -Infinity when empty; compared so that NaN would count as idle too.
      if (state.traffic.latestTimestamp >= before || state.labels.latestTimestamp >= before) continue;
      this.merchants.delete(id);
      if (state.totalLabels > 0) this.evictedLabels.set(id, [state.fraudLabels, state.totalLabels]);
    }
  }

  stats(): FeatureStoreStats {
    let merchantBytes = 0;
    for (const m of this.merchants.values()) merchantBytes += m.approxBytes;
    // An evicted merchant's label counts: a Map entry and a two-number array, ~120 bytes.
    merchantBytes += this.evictedLabels.size * 120;
    return {
      accounts: this.accounts.size,
      merchants: this.merchants.size,
      account_bytes: this.accounts.approxBytes(),
      account_reserved_bytes: this.accounts.reservedBytes(),
      merchant_bytes: merchantBytes,
    };
  }
}
