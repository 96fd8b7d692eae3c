/** Small builders shared by the engine tests. */
import type { Transaction } from '../../src/engine/transaction.ts';

export const T0 = Date.UTC(2026, 2, 2, 12, 0); // a Monday, noon UTC
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let counter = 0;

export function tx(partial: Partial<Transaction> & { timestamp: number }): Transaction {
  counter++;
  return {
    transaction_id: `t${counter}`,
    account_id: 'acct-1',
    amount: 100,
    currency: 'EUR',
    ...partial,
  };
}
