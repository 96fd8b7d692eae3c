import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { F } from '../../src/engine/features/catalog.ts';
import type { ModelSlot, ScoringModel } from '../../src/engine/model.ts';
import { averagePrecision, rocAuc } from '../../src/models/metrics.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import type { LiveModelMetrics } from '../../src/service/live-model-metrics.ts';
import { liveModelSettingsFromEnv } from '../../src/service/live-model-settings.ts';
import { decidedByChallenger } from '../../src/service/traffic-split.ts';
import { Random } from '../../src/simulator/random.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2);
const stores: SqliteStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

/** Two model sets that both rank by amount, with different noise: their live figures differ. */
function modelSet(name: string, noise: number): ModelSlot[] {
  const anomaly: ScoringModel = {
    name: 'iforest',
    version: `iforest-${name}`,
    role: 'anomaly',
    predict: (f) => Math.min(1, f[F.amountLog]! / 10),
  };
  const combiner: ScoringModel = {
    name: 'gbdt',
    version: `gbdt-${name}`,
    role: 'combiner',
    // A deterministic wobble from the amount, so each set orders the transactions its own way.
    predict: (f) => {
      const wobble = (Math.sin(f[F.amount]! * 12.9898 + noise) + 1) / 2;
      return Math.min(1, Math.max(0, (1 - noise) * f[F.anomalyScore]! + noise * wobble));
    },
  };
  return [
    { model: combiner, weight: 1 },
    { model: anomaly, weight: 0.25 },
  ];
}

interface Simulated {
  service: DecisionService;
  metrics: Metrics;
  clock: { now: number };
  /** Each created decision's scores by version, and its truth. */
  decisions: Map<string, { scores: Map<string, number>; fraud: boolean }>;
  /** When each labelled transaction's verdict was given. */
  verdictAt: Map<string, number>;
}

/** Five simulated days of traffic through a service with a challenger; verdicts come two days after each day. */
async function simulateDays(share: number): Promise<Simulated> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-live-models-')), 'l.db'));
  stores.push(store);
  await store.migrate();
  const engine = new Engine({ labelDelayMs: 0, models: modelSet('a', 0.6) });
  engine.setChallengerModels(modelSet('b', 0.2));
  const clock = { now: T0 };
  const metrics = new Metrics();
  const service = new DecisionService(engine, store, () => clock.now, 1000, metrics, null, {
    challengerTraffic: share,
  });
  const random = new Random(42);
  const decisions: Simulated['decisions'] = new Map();
  const verdictAt = new Map<string, number>();
  const pending: { id: string; fraud: boolean; at: number }[] = [];
  for (let day = 0; day < 5; day++) {
    clock.now = T0 + day * DAY + 3_600_000;
    const batch = Array.from({ length: 300 }, (_, i) => {
      const fraud = random.next() < 0.15;
      const amount = Math.round(fraud ? 200 + random.next() * 4000 : 5 + random.next() * 1500);
      return {
        tx: {
          transaction_id: `live-${day}-${i}`,
          timestamp: new Date(clock.now - 60_000).toISOString(),
          account_id: `acct-${i % 40}`,
          merchant_id: `m-${i % 7}`,
          amount,
          currency: 'EUR',
        },
        fraud,
      };
    });
    const results = await service.decideMany(batch.map((b) => b.tx));
    results.forEach((r, i) => {
      assert.equal(r.kind, 'created');
      if (r.kind !== 'created') return;
      const d = r.decision;
      const scores = new Map<string, number>([[d.model_version!, d.score]]);
      if (d.shadow) scores.set(d.shadow.model_version!, d.shadow.score);
      decisions.set(d.transaction_id, { scores, fraud: batch[i]!.fraud });
      // Two in five get a verdict, two days later.
      if (random.next() < 0.4)
        pending.push({ id: d.transaction_id, fraud: batch[i]!.fraud, at: clock.now + 2 * DAY });
    });
    // Verdicts due by the end of this day are given now, at their own time.
    for (const v of pending.filter((p) => p.at <= T0 + (day + 1) * DAY)) {
      clock.now = v.at;
      await service.review(v.id, v.fraud ? 'confirmed_fraud' : 'legitimate', 'alice', null);
      verdictAt.set(v.id, v.at);
      pending.splice(pending.indexOf(v), 1);
    }
  }
  // The last days' verdicts come later still (days 5 and 6).
  for (const v of pending) {
    clock.now = v.at;
    await service.review(v.id, v.fraud ? 'confirmed_fraud' : 'legitimate', 'alice', null);
    verdictAt.set(v.id, v.at);
  }
  return { service, metrics, clock, decisions, verdictAt };
}

/** What the report should say of `version`, computed here from the decisions and the labels known at `at`. */
function expected(sim: Simulated, version: string, at: number, threshold: number) {
  const scores: number[] = [];
  const labels: number[] = [];
  let decisions = 0;
  let alerts = 0;
  for (const [id, d] of sim.decisions) {
    const score = d.scores.get(version);
    if (score === undefined) continue;
    decisions++;
    if (score >= threshold) alerts++;
    const given = sim.verdictAt.get(id);
    if (given === undefined || given > at) continue;
    scores.push(score);
    labels.push(d.fraud ? 1 : 0);
  }
  const flagged = scores.map((s, i) => (s >= threshold ? labels[i]! : -1)).filter((l) => l >= 0);
  return {
    decisions,
    alert_rate: alerts / decisions,
    labels: labels.length,
    positives: labels.filter((l) => l === 1).length,
    auc: rocAuc(scores, labels),
    average_precision: averagePrecision(scores, labels),
    precision: flagged.filter((l) => l === 1).length / flagged.length,
    recall: flagged.filter((l) => l === 1).length / labels.filter((l) => l === 1).length,
  };
}

function assertMatches(actual: LiveModelMetrics | undefined, want: ReturnType<typeof expected>): void {
  assert.ok(actual, 'the version is in the report');
  for (const key of Object.keys(want) as (keyof typeof want)[]) {
    const a: unknown = actual[key];
    assert.equal(typeof a, 'number', `${actual.model_version} ${key}: ${String(a)}`);
    assert.ok(
      Math.abs((a as number) - want[key]) < 1e-12,
      `${actual.model_version} ${key}: ${a} vs ${want[key]}`,
    );
  }
}

test('the A/B split decides the asked share by the transaction id, and both sets are scored on every decision', async () => {
  const sim = await simulateDays(0.2);
  let byChallenger = 0;
  for (const id of sim.decisions.keys()) {
    const stored = await sim.service.store.getTransaction(id);
    const decision = stored!.decision;
    assert.equal(decision.decided_by, decidedByChallenger(id, 0.2) ? 'challenger' : 'champion', id);
    assert.equal(
      decision.model_version,
      decision.decided_by === 'challenger' ? 'gbdt-b+iforest-b' : 'gbdt-a+iforest-a',
    );
    assert.equal(
      decision.shadow?.model_version,
      decision.decided_by === 'challenger' ? 'gbdt-a+iforest-a' : 'gbdt-b+iforest-b',
    );
    if (decision.decided_by === 'challenger') byChallenger++;
  }
  const share = byChallenger / sim.decisions.size;
  assert.ok(Math.abs(share - 0.2) < 0.04, `challenger share ${share}`);
});

test('the live report ranks both sets on the labels known at the time, as the metrics functions do on the same rows', async () => {
  const sim = await simulateDays(0.2);
  const at = T0 + 5 * DAY + 12 * 3_600_000; // day 4's verdicts (given on day 6) are not known yet
  const report = await sim.service.liveModels.refresh(at);
  assert.equal(sim.service.liveModels.latest(), report);
  const threshold = report.review_threshold;
  assert.equal(threshold, 0.5);
  assert.deepEqual(
    report.models.map((m) => [m.model_version, m.role, m.decisions]),
    [
      ['gbdt-a+iforest-a', 'champion', 1500],
      ['gbdt-b+iforest-b', 'challenger', 1500],
    ],
    'every decision scored by both sets, deciding or in the shadow',
  );
  for (const m of report.models) assertMatches(m, expected(sim, m.model_version, at, threshold));
  const known = [...sim.verdictAt.values()].filter((t) => t <= at).length;
  assert.ok(known < sim.verdictAt.size, 'some verdicts are still to come');
  assert.equal(report.models[0]!.labels, known, 'labels not yet known are left out');
  assert.notEqual(report.models[0]!.auc, report.models[1]!.auc, 'the sets rank differently');

  // Per UTC day: the same figures over that day's decisions, adding up to the window's.
  assert.deepEqual(
    report.daily.map((d) => d.day),
    ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'],
  );
  for (const version of ['gbdt-a+iforest-a', 'gbdt-b+iforest-b']) {
    const days = report.daily.map((d) => d.models.find((m) => m.model_version === version)!);
    assert.equal(
      days.reduce((n, m) => n + m.decisions, 0),
      1500,
    );
    assert.equal(
      days.reduce((n, m) => n + m.labels, 0),
      known,
    );
    assert.equal(days[4]!.labels, 0, 'the last day has no label known yet');
    assert.equal(days[4]!.auc, null);
    assert.equal(days[4]!.precision, null);
  }

  // Later, every verdict is known; a window that starts after the traffic has nothing.
  const later = await sim.service.liveModels.refresh(T0 + 8 * DAY);
  assert.equal(later.models[0]!.labels, sim.verdictAt.size);
  assertMatches(later.models[1], expected(sim, 'gbdt-b+iforest-b', T0 + 8 * DAY, threshold));
  const empty = await sim.service.liveModels.refresh(T0 + 40 * DAY);
  assert.deepEqual(empty.models, []);
});

test('/metrics shows each version’s live figures, and decisions by the set that decided', async () => {
  const sim = await simulateDays(0.2);
  assert.doesNotMatch(await sim.metrics.text(), /^fraudwatch_model_precision\{/m, 'nothing before a report');
  const [first, second] = [
    sim.service.liveModels.refresh(T0 + 8 * DAY),
    sim.service.liveModels.refresh(T0 + 8 * DAY),
  ];
  assert.equal(first, second, 'a refresh asked while one runs is that one');
  const report = await first;
  const text = await sim.metrics.text();
  for (const m of report.models) {
    const labels = `model_version="${m.model_version}",role="${m.role}"`;
    for (const [name, value] of [
      ['fraudwatch_model_precision', m.precision],
      ['fraudwatch_model_recall', m.recall],
      ['fraudwatch_model_auc', m.auc],
      ['fraudwatch_model_average_precision', m.average_precision],
      ['fraudwatch_model_alert_rate', m.alert_rate],
      ['fraudwatch_model_labels', m.labels],
      ['fraudwatch_model_decisions', m.decisions],
    ] as const) {
      const line = new RegExp(`^${name}\\{${labels.replaceAll('+', '\\+')}\\} (\\S+)$`, 'm').exec(text);
      assert.ok(line, `${name}{${labels}} in /metrics`);
      assert.ok(Math.abs(Number(line[1]) - (value as number)) < 1e-9, `${name}: ${line[1]} vs ${value}`);
    }
  }
  const byChallenger = [...sim.decisions.keys()].filter((id) => decidedByChallenger(id, 0.2)).length;
  assert.match(
    text,
    new RegExp(`^fraudwatch_model_decisions_total\\{decided_by="challenger"\\} ${byChallenger}$`, 'm'),
  );
  assert.match(
    text,
    new RegExp(`^fraudwatch_model_decisions_total\\{decided_by="champion"\\} ${1500 - byChallenger}$`, 'm'),
  );
});

test('CHALLENGER_TRAFFIC and LIVE_METRICS_WINDOW are read and checked at start', () => {
  assert.deepEqual(liveModelSettingsFromEnv({}), {
    challengerTraffic: 0,
    liveMetricsWindowMs: 30 * DAY,
    liveMetricsIntervalMs: 60_000,
  });
  const set = liveModelSettingsFromEnv({ CHALLENGER_TRAFFIC: '0.25', LIVE_METRICS_WINDOW: '7d' });
  assert.equal(set.challengerTraffic, 0.25);
  assert.equal(set.liveMetricsWindowMs, 7 * DAY);
  for (const bad of ['1.5', '-0.1', 'half', '0.2.1'])
    assert.throws(
      () => liveModelSettingsFromEnv({ CHALLENGER_TRAFFIC: bad }),
      /^RangeError: CHALLENGER_TRAFFIC: /,
    );
  assert.throws(
    () => liveModelSettingsFromEnv({ LIVE_METRICS_WINDOW: '30' }),
    /^RangeError: LIVE_METRICS_WINDOW: /,
  );
  const store = new SqliteStore(':memory:');
  stores.push(store);
  assert.throws(
    () => new DecisionService(new Engine(), store, Date.now, 1000, null, null, { challengerTraffic: 2 }),
    /challengerTraffic/,
  );
});
