/**
 * The model lifecycle end to end on simulated days (time is the simulation's; nothing sleeps): a service whose
 * champion was trained on simulated history decides three weeks of traffic; analysts' verdicts and imported
 * chargebacks come back late; a training from the store makes challengers (never in force); the next week is
 * decided with the challenger in the shadow and on a 20 % A/B share; the live comparison ranks both sets on the
 * labels known by then; automatic promotion follows its rule, an admin promotes and rolls back, all audited.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Decision } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { ModelTrainer } from '../../src/service/model-trainer.ts';
import { simulate } from '../../src/simulator/simulate.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { writeModelVersions } from '../training/model-versions.ts';

const DAY = 86_400_000;

interface Decided {
  decision: Decision;
  fraud: boolean;
  at: number;
  tx: Transaction;
}
const START = Date.UTC(2026, 2, 2);

const root = mkdtempSync(join(tmpdir(), 'fraudwatch-lifecycle-'));
const store = new SqliteStore(join(root, 'fraudwatch.db'));
after(() => store.close());

test('train from the store → challengers in the shadow and on a 20% share → live comparison → promotion and rollback', async () => {
  await store.migrate();
  let now = START;
  const clock = () => now;
  const dir = join(root, 'models');
  mkdirSync(dir);
  writeModelVersions(dir); // a champion pair, as a first start leaves it
  const engine = new Engine({ labelDelayMs: 0, now: clock });
  const service = new DecisionService(engine, store, clock, 1000, null, null, { challengerTraffic: 0.2 });
  const registry = await ModelRegistry.open({ dir, engine, store, now: clock });
  service.models = registry;
  const champion = registry.setVersions().champion!;
  assert.equal(registry.setVersions().challenger, null);

  /** Decides `days` simulated days through the service, in batches; returns each decision with its label. */
  const decideDays = async (fromDay: number, days: number, seed: number) => {
    // ids prefixed by the seed: the simulator numbers every run's transactions from 1
    const rows = [
      ...simulate({ accounts: 400, fraudRate: 0.02, days, seed, start: START + fromDay * DAY }),
    ].map((r) => ({ label: r.label, tx: { ...r.tx, transaction_id: `${seed}-${r.tx.transaction_id}` } }));
    const decided: Decided[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      now = chunk[chunk.length - 1]!.tx.timestamp;
      const results = await service.decideMany(chunk.map((r) => r.tx));
      results.forEach((r, k) => {
        assert.equal(r.kind, 'created');
        if (r.kind === 'created')
          decided.push({
            decision: r.decision,
            fraud: chunk[k]!.label === 1,
            at: chunk[k]!.tx.timestamp,
            tx: chunk[k]!.tx,
          });
      });
    }
    return decided;
  };
  /**
   * Labels as they come back: analysts close the flagged ones (fraud or legitimate) two days later; the fraud
   * nobody flagged comes back as an imported chargeback ten days later, with that known time.
   */
  const labelBack = async (decided: Decided[], until: number) => {
    const chargebacks = [];
    for (const d of decided) {
      const id = d.decision.transaction_id;
      if (d.decision.outcome !== 'approve' && d.at + 2 * DAY <= until)
        await store.setStatus(id, d.fraud ? 'confirmed_fraud' : 'legitimate', 'ana', null, d.at + 2 * DAY);
      else if (d.fraud && d.at + 10 * DAY <= until)
        chargebacks.push({
          transaction_id: id,
          fraud: true,
          source: 'chargebacks',
          known_at: d.at + 10 * DAY,
        });
    }
    if (chargebacks.length > 0) {
      const results = await store.recordLabels(chargebacks, 'cli:ops', until);
      assert.ok(results.every((r) => r.result === 'recorded'));
    }
  };

  // Three weeks decided by the champion alone: no shadow, every decision the champion's.
  const weeks = await decideDays(0, 21, 11);
  assert.ok(weeks.every((d) => d.decision.decided_by === 'champion' && d.decision.shadow === null));
  assert.ok(weeks.every((d) => d.decision.model_version === champion));
  now = START + 24 * DAY;
  await labelBack(weeks, now);

  // A training from the store on what it decided and what came back: challengers, not in force.
  const trainer = new ModelTrainer(store, registry, {
    labelDelayMs: 7 * DAY,
    minFrauds: 20,
    defaultWindowMs: 30 * DAY,
    clock,
  });
  const outcome = await trainer.train('manual', 'admin-key', 30 * DAY, now);
  assert.ok(!('started' in outcome), 'no other run was going');
  assert.equal(outcome.run.status, 'done', outcome.run.result.message ?? '');
  const produced = outcome.run.result.produced ?? [];
  assert.equal(produced.length, 2);
  assert.deepEqual(Object.values(registry.challengers()).sort(), [...produced].sort());
  assert.equal(registry.setVersions().champion, champion, 'the champion stays in force');
  const challenger = registry.setVersions().challenger!;
  assert.notEqual(challenger, champion);

  // The next week: every decision scored by both sets; about 20 % decided by the challenger, by id.
  const week4 = await decideDays(24, 7, 12);
  for (const { decision } of week4) {
    const other = decision.decided_by === 'challenger' ? champion : challenger;
    assert.equal(decision.model_version, decision.decided_by === 'challenger' ? challenger : champion);
    assert.equal(decision.shadow?.model_version, other);
    assert.ok(decision.shadow!.score >= 0 && decision.shadow!.score <= 1);
  }
  const share = week4.filter((d) => d.decision.decided_by === 'challenger').length / week4.length;
  assert.ok(Math.abs(share - 0.2) < 0.03, `challenger share ${share}`);
  const again = await service.decide(week4[0]!.tx);
  assert.equal(again.kind, 'duplicate', 'a resubmission gets the stored decision, whichever set made it');

  // Labels of that week come back; the live comparison sees both sets on the labels known now only.
  now = START + 33 * DAY;
  await labelBack(week4, now);
  const report = await service.liveModels.refresh(now);
  const live = (version: string) => report.models.find((m) => m.model_version === version);
  const champ = live(champion)!;
  const chall = live(challenger)!;
  assert.equal(champ.role, 'champion');
  assert.equal(chall.role, 'challenger');
  // Both scored every decision of week 4 (one deciding, the other in the shadow); the champion also weeks 1-3.
  assert.equal(chall.decisions, week4.length);
  assert.ok(champ.decisions > chall.decisions);
  const labelledWeek4 = week4.filter(
    (d) => d.decision.outcome !== 'approve' || (d.fraud && d.at + 10 * DAY <= now),
  );
  assert.ok(
    chall.labels >= labelledWeek4.length * 0.9 && chall.labels <= labelledWeek4.length,
    `${chall.labels} labels`,
  );
  for (const m of [champ, chall]) {
    assert.ok(m.auc !== null && m.auc > 0.5, `${m.model_version} AUC ${m.auc}`);
    assert.ok(m.average_precision !== null && m.precision !== null && m.recall !== null);
  }

  // Automatic promotion follows its rule: the challenger set replaces the champion only when its AP is higher.
  const verdict = await registry.autoPromote(report, 20);
  const challengerWins = chall.average_precision! > champ.average_precision!;
  assert.equal(verdict.promote, challengerWins, verdict.reason);
  const autoEntries = await store.listAudit({ action: 'model_auto_promote' });
  assert.equal(autoEntries.length > 0, challengerWins);
  assert.equal(registry.setVersions().champion, challengerWins ? challenger : champion);

  // An admin promotes the challengers (when the rule did not), then rolls the GBDT back: the one before returns.
  if (!challengerWins) for (const id of produced) await registry.promote(id, 'admin-key');
  assert.equal(engine.championVersion, challenger);
  const gbdtBefore = Object.values(registry.active()).find((id) => id.startsWith('gbdt'))!;
  const rolled = await registry.rollback('gbdt', 'admin-key');
  assert.equal(rolled.before, gbdtBefore);
  assert.ok(champion.includes(rolled.after), `${rolled.after} was the champion's GBDT`);
  const trail = await store.listAudit({ actor: 'admin-key' });
  assert.ok(trail.some((e) => e.action === 'model_rollback' && e.new_value === rolled.after));
  assert.ok(trail.some((e) => e.action === 'model_train'));
});
