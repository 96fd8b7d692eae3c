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
}

export class InMemoryFeatureStore implements FeatureStateStore {
  readonly accounts = new AccountArena();
  private readonly merchants = new Map<string, MerchantState>();

  merchant(merchantId: string): MerchantState {
    let state = this.merchants.get(merchantId);
    if (state === undefined) {
      state = new MerchantState();
      this.merchants.set(merchantId, state);
    }
    return state;
  }

  stats(): FeatureStoreStats {
    let merchantBytes = 0;
    for (const m of this.merchants.values()) merchantBytes += m.approxBytes;
    return {
      accounts: this.accounts.size,
      merchants: this.merchants.size,
      account_bytes: this.accounts.approxBytes(),
      account_reserved_bytes: this.accounts.reservedBytes(),
      merchant_bytes: merchantBytes,
    };
  }
}
