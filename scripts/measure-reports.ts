/**
 * How long the reports take on a store of `--rows` decisions over two weeks (default 100,000), in both stores:
 * `node --import tsx scripts/measure-reports.ts [rows]` (PostgreSQL from TEST_DATABASE_URL, a schema of its own).
 * The figures are in docs/reports.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { patternReport } from '../src/reports/pattern-report.ts';
import { weeklyReport } from '../src/reports/weekly-report.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { DecisionStore, NewDecision } from '../src/store/types.ts';

const DAY = 86_400_000;
const rows = Number(process.argv[2] ?? 100_000);
const WEEK = Date.UTC(2026, 10, 16);
const NOW = WEEK + 7 * DAY + 3_600_000;
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'PL', 'NL', 'IT', 'ES'];

function decision(i: number): NewDecision {
  const at = WEEK - 7 * DAY + Math.floor((i / rows) * 14 * DAY);
  const outcome = i % 10 === 0 ? 'review' : i % 37 === 0 ? 'decline' : 'approve';
  const id = `x${i}`;
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: `a${i % 5000}`,
      merchant_id: `m${i % 300}`,
      merchant_category: `c${i % 20}`,
      country: COUNTRIES[i % COUNTRIES.length],
      channel: i % 3 === 0 ? 'web' : 'pos',
      device_id: `d${i % 5000}`,
      amount: (i % 997) * 3.1,
      currency: 'EUR',
    },
    decision: {
      transaction_id: id,
      score: outcome === 'approve' ? 0.1 : 0.8,
      outcome,
      reasons: outcome === 'approve' ? [] : [{ kind: 'rule', rule: `r${i % 7}@1`, reason: 'x', score: 0.5 }],
      rule_score: 0.5,
      model_score: 0.2,
      model_version: 'iforest-1+gbdt-1',
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    },
    payload_hash: id,
    decided_at: at,
  };
}

async function measure(name: string, store: DecisionStore): Promise<void> {
  await store.migrate();
  for (let i = 0; i < rows; i += 1000)
    await store.saveDecisions(Array.from({ length: Math.min(1000, rows - i) }, (_, k) => decision(i + k)));
  for (let i = 0; i < rows; i += 200) {
    if (i % 10 === 0)
      await store.setStatus(`x${i}`, i % 400 === 0 ? 'confirmed_fraud' : 'legitimate', 'm', null, NOW - DAY);
  }
  let t = performance.now();
  await weeklyReport(store, WEEK, NOW);
  const weekly = performance.now() - t;
  t = performance.now();
  await patternReport(store, NOW, 3_600_000, 7 * DAY);
  const patterns = performance.now() - t;
  t = performance.now();
  await patternReport(store, NOW, DAY, 13 * DAY);
  const wide = performance.now() - t;
  console.log(
    `${name}: ${rows} rows: weekly ${weekly.toFixed(0)} ms, patterns 1h/7d ${patterns.toFixed(0)} ms, 1d/13d ${wide.toFixed(0)} ms`,
  );
  await store.close();
}

await measure('embedded', new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-measure-')), 'm.db')));
const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `measure_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
try {
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  await measure('postgres', new PostgresStore(scoped.toString(), 4));
} finally {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
