/**
 * The weekly report over two simulated weeks of stored decisions and verdicts: every figure checked against the
 * same figure counted here, row by row, from what was stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTCOMES, type Decision, type Outcome } from '../../src/engine/decision.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { parseWeek, weekName } from '../../src/reports/iso-week.ts';
import { weeklyReport, type LatencySource } from '../../src/reports/weekly-report.ts';
import { weeklyHtml } from '../../src/reports/render-html.ts';
import { weeklyMarkdown } from '../../src/reports/render-markdown.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewDecision } from '../../src/store/types.ts';

const DAY = 86_400_000;
const W46 = Date.UTC(2026, 10, 9); // Monday 9 November 2026
const W47 = W46 + 7 * DAY;
const NOW = W47 + 7 * DAY + 2.5 * DAY; // Wednesday noon of W48

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Row {
  record: NewDecision;
  verdict?: { fraud: boolean; at: number };
}

function simulate(): Row[] {
  const rnd = random(7);
  const rows: Row[] = [];
  for (let i = 0; i < 3000; i++) {
    const decidedAt = W46 + Math.floor(rnd() * (16 * DAY + 12 * 3_600_000)); // up to NOW
    const u = rnd();
    const outcome: Outcome =
      u < 0.8 ? 'approve' : u < 0.9 ? 'review' : u < 0.95 ? 'block_and_review' : 'decline';
    const rules = ['velocity@1', 'new_device@1', 'high_amount@1'].filter(
      () => rnd() < (outcome === 'approve' ? 0.05 : 0.5),
    );
    const transaction: Transaction = {
      transaction_id: `w${i}`,
      timestamp: decidedAt - 10,
      account_id: `a${i % 50}`,
      amount: Math.round(rnd() * 50000) / 100,
      currency: rnd() < 0.3 ? 'USD' : 'EUR',
      merchant_id: `m${i % 7}`,
    };
    const decision: Decision = {
      transaction_id: transaction.transaction_id,
      score: outcome === 'approve' ? 0.1 : 0.7,
      outcome,
      reasons: rules.map((rule) => ({ kind: 'rule', rule, reason: 'x', score: 0.3 })),
      rule_score: 0.3,
      model_score: 0.2,
      model_version: decidedAt < W47 + 3 * DAY ? 'iforest-1+gbdt-1' : 'iforest-2+gbdt-2',
      rules_version: 'v1',
      bypassed: false,
      degraded: false,
    };
    const row: Row = { record: { transaction, decision, payload_hash: `h${i}`, decided_at: decidedAt } };
    const labelChance = outcome === 'approve' ? 0.02 : 0.6;
    if (rnd() < labelChance) {
      const fraud = rnd() < (outcome === 'approve' ? 0.7 : 0.55);
      row.verdict = { fraud, at: Math.min(NOW, decidedAt + Math.floor(rnd() * 4 * DAY)) };
    }
    rows.push(row);
  }
  return rows;
}

const fakeLatency: LatencySource = {
  startedAt: W47 + 2 * DAY,
  slots: (7 * DAY) / 300_000,
  percentiles: (from, to) => {
    calls.push([from, to]);
    return { count: 42, values: [0.00001, 0.00005, 0.0002] };
  },
};
const calls: [number, number][] = [];

test('weekly report: every figure of two simulated weeks matches a count made row by row', async () => {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-weekly-')), 'fraudwatch.db'));
  await store.migrate();
  const rows = simulate();
  for (let i = 0; i < rows.length; i += 500)
    await store.saveDecisions(rows.slice(i, i + 500).map((r) => r.record));
  for (const r of [...rows].filter((r) => r.verdict).sort((a, b) => a.verdict!.at - b.verdict!.at)) {
    const status = r.verdict!.fraud ? 'confirmed_fraud' : 'legitimate';
    await store.setStatus(r.record.transaction.transaction_id, status, 'alice', null, r.verdict!.at);
  }

  const week = parseWeek('last', NOW);
  assert.ok('start' in week);
  assert.equal(week.start, W47);
  const report = await weeklyReport(store, week.start, NOW, fakeLatency);
  await store.close();

  for (const [figures, start] of [
    [report.current, W47],
    [report.previous, W46],
  ] as const) {
    const end = start + 7 * DAY;
    const ofWeek = rows.filter((r) => r.record.decided_at >= start && r.record.decided_at < end);
    const outcome = (r: Row) => r.record.decision.outcome;
    assert.equal(figures.week, weekName(start));
    assert.equal(figures.complete, true);
    assert.equal(figures.decisions, ofWeek.length);
    for (const o of OUTCOMES)
      assert.equal(figures.outcomes[o], ofWeek.filter((r) => outcome(r) === o).length, o);
    const flagged = ofWeek.filter((r) => outcome(r) !== 'approve');
    assert.equal(figures.alert_rate, flagged.length / ofWeek.length);
    assert.equal(figures.per_day.length, 7);
    figures.per_day.forEach((d, i) => {
      const ofDay = ofWeek.filter((r) => Math.floor((r.record.decided_at - start) / DAY) === i);
      assert.equal(d.decisions, ofDay.length, d.date);
      assert.equal(d.decline, ofDay.filter((r) => outcome(r) === 'decline').length, d.date);
    });
    // Labels known at NOW: every verdict given.
    const labelled = flagged.filter((r) => r.verdict);
    assert.deepEqual(figures.reviewed, {
      labelled: labelled.length,
      fraud: labelled.filter((r) => r.verdict!.fraud).length,
      legit: labelled.filter((r) => !r.verdict!.fraud).length,
      precision: labelled.filter((r) => r.verdict!.fraud).length / labelled.length,
    });
    const frauds = ofWeek.filter((r) => r.verdict?.fraud);
    const missed = frauds.filter((r) => outcome(r) === 'approve');
    assert.ok(missed.length > 0, 'the simulation has missed fraud');
    assert.deepEqual(figures.missed_fraud, {
      fraud_labels: frauds.length,
      approved: missed.length,
      false_negative_rate: missed.length / frauds.length,
    });
    const blocked = ofWeek.filter((r) => outcome(r) === 'block_and_review' || outcome(r) === 'decline');
    assert.equal(figures.blocked.decisions, blocked.length);
    for (const currency of ['EUR', 'USD']) {
      const mine = blocked.filter((r) => r.record.transaction.currency === currency);
      const got = figures.blocked.amounts.find((a) => a.currency === currency)!;
      assert.equal(got.decisions, mine.length);
      assert.ok(Math.abs(got.amount - mine.reduce((a, r) => a + r.record.transaction.amount, 0)) < 1e-6);
    }
    // Backlog at the week's end: cases decided before it without a verdict given by then.
    const open = rows.filter(
      (r) =>
        (outcome(r) === 'review' || outcome(r) === 'block_and_review') &&
        r.record.decided_at < end &&
        !(r.verdict && r.verdict.at <= end),
    );
    assert.equal(figures.backlog.open, open.length);
    assert.equal(
      figures.backlog.by_age.reduce((a, b) => a + b.cases, 0),
      open.length,
    );
    const oldest = Math.min(...open.map((r) => r.record.decided_at));
    assert.equal(figures.backlog.oldest_date, new Date(oldest).toISOString().slice(0, 10));
    for (const rule of figures.rules_by_hits) {
      const fired = ofWeek.filter((r) =>
        r.record.decision.reasons.some((x) => x.kind === 'rule' && x.rule === rule.rule),
      );
      const withLabel = fired.filter((r) => r.verdict);
      assert.equal(rule.hits, fired.length, rule.rule);
      assert.equal(rule.labelled, withLabel.length, rule.rule);
      assert.equal(rule.fraud, withLabel.filter((r) => r.verdict!.fraud).length, rule.rule);
    }
    assert.equal(figures.rules_by_hits.length, 3);
    const precisions = figures.rules_by_precision.map((r) => r.precision!);
    assert.deepEqual(
      precisions,
      [...precisions].sort((a, b) => b - a),
    );
    const versions = new Map<string, number>();
    for (const r of ofWeek)
      versions.set(
        r.record.decision.model_version!,
        (versions.get(r.record.decision.model_version!) ?? 0) + 1,
      );
    assert.deepEqual(
      Object.fromEntries(figures.models.map((m) => [m.model_version, m.decisions])),
      Object.fromEntries(versions),
    );
  }
  // The process started in the middle of W47: latency from then on; W46 is before it.
  assert.equal(report.current.scoring_latency_ms.recorded, true);
  assert.equal(report.current.scoring_latency_ms.since, new Date(W47 + 2 * DAY).toISOString());
  assert.equal(report.current.scoring_latency_ms.p99, 0.2);
  assert.equal(report.previous.scoring_latency_ms.recorded, false);
  assert.deepEqual(calls, [[W47 + 2 * DAY, W47 + 7 * DAY]]);

  const md = weeklyMarkdown(report);
  assert.match(md, /^# fraudwatch weekly report 2026-W47/);
  assert.match(
    md,
    new RegExp(
      `\\| decisions \\| ${report.current.decisions.toLocaleString('en-US')} \\| ${report.previous.decisions.toLocaleString('en-US')} \\|`,
    ),
  );
  const html = weeklyHtml(report);
  assert.match(html, /<svg /);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
});

test('ISO weeks: names, `last`, and what is refused', () => {
  assert.equal(weekName(Date.UTC(2026, 10, 23)), '2026-W48');
  assert.equal(weekName(Date.UTC(2020, 11, 28)), '2020-W53');
  assert.equal(weekName(Date.UTC(2024, 11, 30)), '2025-W01'); // Monday 30 December 2024 opens 2025's first week
  assert.deepEqual(parseWeek('2025-W01', NOW), { start: Date.UTC(2024, 11, 30) });
  assert.deepEqual(parseWeek('last', Date.UTC(2026, 10, 23)), { start: Date.UTC(2026, 10, 16) }); // Monday midnight
  assert.deepEqual(parseWeek('2026-W53', NOW + 400 * DAY), { start: Date.UTC(2026, 11, 28) }); // 2026 has 53
  assert.match((parseWeek('2025-W53', NOW) as { error: string }).error, /weeks 01 to 52/);
  assert.match((parseWeek('2026-48', NOW) as { error: string }).error, /ISO week such as/);
  assert.match((parseWeek('2027-W01', NOW) as { error: string }).error, /not begun/);
});
