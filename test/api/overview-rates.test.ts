/** The overview's rates: the current one (last minute) and one per bucket, not the window's average alone. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import type { Outcome } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-overview-')), 'o.db'));
await store.migrate();
const app = buildApp({ service: new DecisionService(new Engine(), store, Date.now, 1000) });
const key = (await createApiKey(store, 'analyst', 'alice')).key;
after(async () => {
  await app.close();
  await store.close();
});

function decided(i: number, at: number, outcome: Outcome): NewDecision {
  const id = `o${i}`;
  return {
    transaction: { transaction_id: id, timestamp: at, account_id: 'a', amount: 10, currency: 'EUR' },
    decision: {
      transaction_id: id,
      score: outcome === 'approve' ? 0.1 : 0.9,
      outcome,
      reasons: [],
      rule_score: 0,
      model_score: null,
      model_version: null,
      rules_version: 'v',
      bypassed: false,
      degraded: false,
    },
    payload_hash: id,
    decided_at: at,
  };
}

test('a burst in the last minute reads as its own rate, per bucket and now, not as the window average', async () => {
  const now = Date.now();
  // 600 decisions in the last 30 seconds (1,200 a minute), 30 of them flagged; nothing before.
  await store.saveDecisions(
    Array.from({ length: 600 }, (_, i) =>
      decided(i, now - 30_000 + i * 50, i % 20 === 0 ? 'review' : 'approve'),
    ),
  );
  const get = async (window: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `/api/v1/stats/overview?window=${window}`,
        headers: { 'x-api-key': key },
      })
    ).json();
  const hour = await get('1h');
  assert.equal(hour.total, 600);
  assert.ok(hour.decisions_per_second * 60 < 11, 'the hour average is about 10 a minute');
  assert.equal(hour.current_per_minute, 600, 'all 600 fell in the last minute');
  assert.equal(hour.current_flagged_per_minute, 30);
  const week = await get('7d');
  const busy = week.series.filter((b: { per_minute: number }) => b.per_minute > 0);
  assert.ok(busy.length >= 1 && busy.length <= 2, 'one bucket holds them (two if a boundary fell in them)');
  // The newest 3-hour bucket has only begun: its rate is over the part that has passed, never its count over
  // 3 hours (600 would read 3.3 a minute).
  const bucket = busy[busy.length - 1];
  const count = bucket.approve + bucket.review;
  assert.ok(bucket.covered_seconds <= 3 * 3600 && bucket.covered_seconds > 0);
  assert.ok(
    Math.abs(bucket.per_minute - (count * 60) / bucket.covered_seconds) < 1e-6,
    JSON.stringify(bucket),
  );
  assert.ok(Math.abs(bucket.flagged_per_minute - (bucket.review * 60) / bucket.covered_seconds) < 1e-6);
  if (busy.length === 1) assert.equal(count, 600);
  const first = week.series[0];
  assert.ok(first.covered_seconds <= 3 * 3600, 'the oldest bucket counts only the part inside the window');
});
