/**
 * An account's profile for analysts: what it usually does (devices, cities, countries, merchants, amounts) and
 * how risky it has looked, computed from its stored transactions, plus what the engine remembers.
 */
import type { StoredTransaction } from '../store/types.ts';

export interface Usual {
  value: string;
  count: number;
}

export interface AccountProfile {
  account_id: string;
  transactions: number;
  first_seen: string | null;
  last_seen: string | null;
  amount: { mean: number; max: number };
  usual: { devices: Usual[]; cities: Usual[]; countries: Usual[]; merchants: Usual[] };
  risk: { mean_score: number; flagged: number; confirmed_fraud: number; legitimate: number };
  engine_transactions: number;
}

function top(values: (string | undefined)[], n = 5): Usual[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([value, count]) => ({ value, count }));
}

export function accountProfile(
  accountId: string,
  rows: StoredTransaction[],
  engineTransactions: number,
): AccountProfile {
  const txs = rows.map((r) => r.transaction);
  const amounts = txs.map((t) => t.amount);
  const times = txs.map((t) => t.timestamp);
  return {
    account_id: accountId,
    transactions: rows.length,
    first_seen: times.length ? new Date(Math.min(...times)).toISOString() : null,
    last_seen: times.length ? new Date(Math.max(...times)).toISOString() : null,
    amount: {
      mean: amounts.length ? amounts.reduce((a, b) => a + b, 0) / amounts.length : 0,
      max: amounts.length ? Math.max(...amounts) : 0,
    },
    usual: {
      devices: top(txs.map((t) => t.device_id)),
      cities: top(txs.map((t) => t.city)),
      countries: top(txs.map((t) => t.country)),
      merchants: top(txs.map((t) => t.merchant_id)),
    },
    risk: {
      mean_score: rows.length ? rows.reduce((a, r) => a + r.decision.score, 0) / rows.length : 0,
      flagged: rows.filter((r) => r.decision.outcome !== 'approve').length,
      confirmed_fraud: rows.filter((r) => r.status === 'confirmed_fraud').length,
      legitimate: rows.filter((r) => r.status === 'legitimate').length,
    },
    engine_transactions: engineTransactions,
  };
}
