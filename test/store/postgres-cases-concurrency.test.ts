/**
 * Two serve processes on one PostgreSQL database (two stores, two pools) sweeping cases at the same time, many
 * rounds: no decision is grouped twice or left out, one account has one active case per window, and no member
 * ever holds more active cases than their capacity.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Decision } from '../../src/engine/decision.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import type { NewDecision } from '../../src/store/types.ts';
import type { QueueRecord } from '../../src/cases/queue-model.ts';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_cases_${process.pid}_${Date.now()}`;
const T = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;
const WINDOW = 24 * HOUR;
const ROUNDS = 12;
const ACCOUNTS = 8;
const PER_ACCOUNT = 6;
const CAPACITY = 4;
const MEMBERS = ['case17-ann', 'case17-bob', 'case17-cat'];

function decided(round: number, account: number, n: number): NewDecision {
  const id = `case17-r${round}-a${account}-${n}`;
  // A round's decisions of an account are minutes apart; rounds are two windows apart.
  const at = T + round * 2 * WINDOW + n * 60_000 + account;
  const decision: Decision = {
    transaction_id: id,
    score: 0.5 + n / 20,
    outcome: n % 3 === 0 ? 'block_and_review' : 'review',
    reasons: [{ kind: 'rule', rule: 'case17-rule@1', reason: 'because', score: 0.5 }],
    rule_score: 0.5,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  return {
    transaction: {
      transaction_id: id,
      timestamp: at,
      account_id: `case17-acct-${account}`,
      amount: 10 * (n + 1),
      currency: 'EUR',
      merchant_id: 'case17-shop',
    },
    decision,
    payload_hash: `h-${id}`,
    decided_at: at,
  };
}

const admin = (): pg.Client => new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });

after(async () => {
  const c = admin();
  try {
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // unreachable: nothing was created
  } finally {
    await c.end().catch(() => undefined);
  }
});

test('two processes grouping and assigning at once: each decision in one case, one active case per account and window, no member over capacity', async () => {
  const setup = admin();
  await setup.connect();
  await setup.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const [one, two] = [new PostgresStore(url.toString(), 4), new PostgresStore(url.toString(), 4)];
  try {
    await Promise.all([one.migrate(), two.migrate()]);
    const team: QueueRecord = {
      name: 'case17-team',
      position: 0,
      filter: {},
      members: MEMBERS.map((name) => ({ name, capacity: CAPACITY })),
      sla_seconds: 3600,
      last_assigned: null,
      created_at: T,
      created_by: 'case17-admin',
      updated_at: T,
      updated_by: 'case17-admin',
    };
    const audit = { at: T, actor: 'case17-admin', action: 'queue_created', transaction_id: null, note: null };
    await one.createQueue(team, { ...audit, old_value: null, new_value: team.name });
    const queues = await one.listQueues();

    const sweep = async (s: PostgresStore, at: number): Promise<number> => {
      let grouped = 0;
      for (;;) {
        const r = await s.cases.groupAlerts(WINDOW, at, 5);
        grouped += r.grouped;
        if (r.grouped === 0) break;
      }
      await s.cases.routeCases(queues, at);
      await s.cases.assignCases(at);
      return grouped;
    };

    for (let round = 0; round < ROUNDS; round++) {
      const batch: NewDecision[] = [];
      for (let a = 0; a < ACCOUNTS; a++)
        for (let n = 0; n < PER_ACCOUNT; n++) batch.push(decided(round, a, n));
      await one.saveDecisions(batch);
      const at = T + round * 2 * WINDOW + HOUR;
      const [g1, g2] = await Promise.all([sweep(one, at), sweep(two, at)]);
      assert.equal(g1 + g2, ACCOUNTS * PER_ACCOUNT, `round ${round}: every decision grouped once`);

      const load = await setup.query<{ assignee: string; n: string }>(
        `SELECT assignee, COUNT(*) AS n FROM ${schema}.account_cases
         WHERE assignee IS NOT NULL AND status IN ('open', 'in_review', 'escalated') GROUP BY assignee`,
      );
      for (const r of load.rows)
        assert.ok(Number(r.n) <= CAPACITY, `round ${round}: ${r.assignee} holds ${r.n} > ${CAPACITY}`);
      // Everyone is full after the first rounds: the analysts close half their cases, from both processes.
      const assigned = await one.cases.listCases({ assignee: undefined, limit: 1000 });
      const closes = assigned.items.filter((c) => c.assignee !== null).filter((_, i) => i % 2 === 0);
      await Promise.all(
        closes.map((c, i) =>
          (i % 2 === 0 ? one : two).cases.setCaseStatus(c.id, 'closed_legitimate', c.assignee!, null, at + 1),
        ),
      );
    }

    const alerts = await setup.query<{ n: string; distinct_tx: string }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT transaction_id) AS distinct_tx FROM ${schema}.case_alerts`,
    );
    assert.equal(Number(alerts.rows[0]!.n), ROUNDS * ACCOUNTS * PER_ACCOUNT);
    assert.equal(Number(alerts.rows[0]!.distinct_tx), ROUNDS * ACCOUNTS * PER_ACCOUNT);
    const mismatched = await setup.query(
      `SELECT t.transaction_id FROM ${schema}.transactions t
       LEFT JOIN ${schema}.case_alerts a ON a.transaction_id = t.transaction_id
       WHERE a.case_id IS DISTINCT FROM t.case_id`,
    );
    assert.deepEqual(mismatched.rows, [], 'the mark on each transaction names the case that holds it');
    const counts = await setup.query(
      `SELECT c.id FROM ${schema}.account_cases c
       WHERE c.alert_count <> (SELECT COUNT(*) FROM ${schema}.case_alerts a WHERE a.case_id = c.id)`,
    );
    assert.deepEqual(counts.rows, [], 'every alert counted in its case');
    const perWindow = await setup.query<{ account_id: string; day: string; n: string }>(
      `SELECT account_id, (opened_at - ${T}) / ${2 * WINDOW} AS day, COUNT(*) AS n FROM ${schema}.account_cases
       GROUP BY account_id, day HAVING COUNT(*) <> 1`,
    );
    assert.deepEqual(perWindow.rows, [], 'one case per account and round, never two');
    const cases = await setup.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${schema}.account_cases`);
    assert.equal(Number(cases.rows[0]!.n), ROUNDS * ACCOUNTS);
    const assignedEvents = await setup.query<{ case_id: string; n: string }>(
      `SELECT case_id, COUNT(*) AS n FROM ${schema}.case_events WHERE action = 'assigned'
       GROUP BY case_id HAVING COUNT(*) > 1`,
    );
    assert.deepEqual(assignedEvents.rows, [], 'a case is dealt once');
    const dealt = await setup.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${schema}.account_cases WHERE assignee IS NOT NULL`,
    );
    assert.ok(Number(dealt.rows[0]!.n) > ROUNDS * 2, 'the sweeps went on assigning as capacity freed');
  } finally {
    await Promise.all([one.close(), two.close()]);
    await setup.end();
  }
});
