/**
 * Where per-account and per-merchant state lives. The engine is synchronous, so the interface is too: a remote
 * store (Redis) loads the states a batch needs before scoring and writes them back after, using the states'
 * snapshot/restore. The default keeps everything in memory.
 */
import { AccountState } from './account-state.ts';
import { MerchantState } from './merchant-state.ts';

export interface FeatureStateStore {
  /** The account's state, created empty on first use. */
  account(accountId: string): AccountState;
  /** The merchant's state, created empty on first use. */
  merchant(merchantId: string): MerchantState;
  /** Counts and approximate bytes, for metrics and the memory bound. */
  stats(): { accounts: number; merchants: number; approx_bytes: number };
}

export class InMemoryFeatureStore implements FeatureStateStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly merchants = new Map<string, MerchantState>();

  account(accountId: string): AccountState {
    let state = this.accounts.get(accountId);
    if (state === undefined) {
      state = new AccountState();
      this.accounts.set(accountId, state);
    }
    return state;
  }

  merchant(merchantId: string): MerchantState {
    let state = this.merchants.get(merchantId);
    if (state === undefined) {
      state = new MerchantState();
      this.merchants.set(merchantId, state);
    }
    return state;
  }

  stats(): { accounts: number; merchants: number; approx_bytes: number } {
    let bytes = 0;
    for (const a of this.accounts.values()) bytes += a.approxBytes;
    for (const m of this.merchants.values()) bytes += m.approxBytes;
    return { accounts: this.accounts.size, merchants: this.merchants.size, approx_bytes: bytes };
  }
}
