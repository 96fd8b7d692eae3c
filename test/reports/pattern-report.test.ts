/** The fraud-pattern report: rates per value against the baseline, the risk rule, and labels through knownLabels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../src/engine/decision.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { patternReport, riskOf } from '../../src/reports/pattern-report.ts';
import { patternMarkdown } from '../../src/reports/render-markdown.ts';
import { patternHtml } from '../../src/reports/render-html.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 25, 12);

let n = 0;
function decision(decidedAt: number, outcome: Outcome, extra: Partial<Transaction>): NewDecision {
  const id = `p${n++}`;
  return {
    transaction: {
      transaction_id: id,
      timestamp: decidedAt,
      account_id: 'a',
      merchant_id: 'm1',
      amount: 30,
      currency: 'EUR',
      ...extra,
    },
    decision: {
      transaction_id: id,
      score: 0.5,
      outcome,
      reasons: [],
      rule_score: 0,
      model_score: null,
      model_version: null,
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    },
    payload_hash: id,
    decided_at: decidedAt,
  };
}

/** `count` decisions, the first `flagged` of them reviews, spread over [from, from + span). */
function many(
  count: number,
  flagged: number,
  from: number,
  span: number,
  extra: Partial<Transaction>,
): NewDecision[] {
  return Array.from({ length: count }, (_, i) =>
    decision(from + Math.floor((i * span) / count), i < flagged ? 'review' : 'approve', extra),
  );
}

test('pattern report: a value whose flagged or fraud rate jumps is high, a steady one low, a new one high', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const current = NOW - HOUR + 1;
  const baseline = current - 7 * 24 * HOUR;
  const rows = [
    // DE: 10 % flagged in the baseline, 50 % now (6 of 12): high.
    ...many(200, 20, baseline, 7 * 24 * HOUR, { country: 'DE' }),
    ...many(12, 6, current, HOUR, { country: 'DE' }),
    // FR: 20 % in both: low.
    ...many(100, 20, baseline, 7 * 24 * HOUR, { country: 'FR' }),
    ...many(10, 2, current, HOUR, { country: 'FR' }),
    // IT: 10 % then 20 % (6 of 30): medium.
    ...many(100, 10, baseline, 7 * 24 * HOUR, { country: 'IT' }),
    ...many(30, 6, current, HOUR, { country: 'IT' }),
    // NL: not seen in the baseline, 5 flagged now: high (new).
    ...many(5, 5, current, HOUR, { country: 'NL' }),
    // ES: 3 flagged now, none before: too few events, low.
    ...many(3, 3, current, HOUR, { country: 'ES' }),
  ];
  await store.saveDecisions(rows);
  // Five of FR's current approvals turn out to be fraud (a label on an approved transaction): its fraud rate is new.
  const frApproved = rows.filter(
    (r) => r.transaction.country === 'FR' && r.decided_at >= current && r.decision.outcome === 'approve',
  );
  for (const r of frApproved.slice(0, 5))
    await store.setStatus(r.transaction.transaction_id, 'confirmed_fraud', 'alice', null, NOW - 1000);

  const report = await patternReport(store, NOW, HOUR, 7 * 24 * HOUR);
  await store.close();
  const country = report.dimensions.find((d) => d.dimension === 'country')!;
  const by = new Map(country.rows.map((r) => [r.value, r]));
  const de = by.get('DE')!;
  assert.deepEqual(de.current, { decisions: 12, flagged: 6, fraud: 0, flagged_rate: 0.5, fraud_rate: 0 });
  assert.equal(de.baseline.flagged_rate, 0.1);
  assert.ok(Math.abs(de.flagged_ratio! - 5) < 1e-9);
  assert.equal(de.risk, 'high');
  assert.match(de.rule, /^high: flagged rate 5x the baseline's \(>= 3x\), 6 flagged events/);
  assert.equal(by.get('IT')!.risk, 'medium');
  assert.equal(by.get('NL')!.risk, 'high');
  assert.match(by.get('NL')!.rule, /new/);
  assert.equal(by.get('ES')!.risk, 'low');
  const fr = by.get('FR')!;
  assert.equal(fr.current.fraud, 5);
  assert.equal(fr.flagged_ratio, 1);
  assert.equal(fr.risk, 'high'); // set by the fraud rate, which the baseline never had
  assert.match(fr.rule, /fraud rate new/);
  assert.equal(country.rows[country.rows.length - 1]!.risk, 'low'); // riskiest first
  assert.equal(report.overall.current.decisions, 12 + 10 + 30 + 5 + 3);
  assert.equal(report.overall.current.flagged, 6 + 2 + 6 + 5 + 3);
  assert.equal(report.overall.baseline.decisions, 400);
  assert.equal(report.risk, 'high');
  const band = report.dimensions.find((d) => d.dimension === 'amount_band')!;
  assert.deepEqual(
    band.rows.map((r) => r.value),
    ['10-50'],
  );
  assert.match(patternMarkdown(report), /\| DE \| 12 \| 6 \| 50\.0 % \| 10\.0 % \| 5\.00x \|/);
  assert.match(patternHtml(report), /class="risk-high">high</);
});

test('risk rule: the thresholds and the minimum number of events', () => {
  const w = (decisions: number, flagged: number) => ({
    decisions,
    flagged,
    fraud: 0,
    flagged_rate: flagged / decisions,
    fraud_rate: 0,
  });
  assert.equal(riskOf(w(100, 30), w(100, 10)).risk, 'high');
  assert.equal(riskOf(w(100, 29), w(100, 10)).risk, 'medium');
  assert.equal(riskOf(w(100, 15), w(100, 10)).risk, 'medium');
  assert.equal(riskOf(w(100, 14), w(100, 10)).risk, 'low');
  assert.equal(riskOf(w(10, 4), w(100, 1)).risk, 'low'); // 40x, but 4 events
});
