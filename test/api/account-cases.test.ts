/**
 * Account cases through the real app on both stores (docs/api.md "Account cases"): flagged decisions posted to
 * POST /api/v1/transactions grouped by a sweep tick (time moved by hand), routed to two queues and dealt round
 * robin within capacities; list filters and pages, the detail with alerts, notes, timeline and snoozes; assign,
 * note, close as fraud (the transactions labelled and the engine fed), bulk; roles, 400s naming the field, 409s;
 * case.opened and case.closed reaching a webhook receiver; the backlog and the gauges on /metrics.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import type { AccountCase, CaseDetail } from '../../src/cases/case-types.ts';
import { CaseSweep } from '../../src/cases/case-sweep.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../src/engine/decision.ts';
import { Engine } from '../../src/engine/engine.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionStore } from '../../src/store/types.ts';
import { SecretSealer } from '../../src/webhooks/webhook-secrets.ts';
import { Webhooks } from '../../src/webhooks/webhooks.ts';
import { Receiver } from '../webhooks/receiver.ts';

const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_cases_api_${process.pid}_${Date.now()}`;

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

after(async () => {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
});

const HOUR = 3_600_000;
/** Every score is at least 0: with the review threshold there every decision is flagged for review. */
const ALL_REVIEW: Thresholds = { review: 0, block_and_review: 1, decline: 1 };
const ALL_APPROVE: Thresholds = { review: 1, block_and_review: 1, decline: 1 };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function casesSuite(name: string, open: () => Promise<DecisionStore>): void {
  test(`account cases through the API (${name})`, async (t) => {
    const store = await open();
    await store.migrate();
    // The service's clock runs with real time (the webhook sender waits on it) plus a shift the test moves.
    let shift = 0;
    const now = () => Date.now() + shift;
    const engine = new Engine({ labelDelayMs: 0 });
    const service = new DecisionService(engine, store, now, 1000, new Metrics());
    const sealer = SecretSealer.ephemeral();
    const webhooks = new Webhooks(service, sealer, {
      timeoutMs: 1000,
      backoffBaseMs: 80,
      maxAgeMs: 60_000,
      pollMs: 50,
      leaseMs: 5000,
    });
    webhooks.start();
    const app: FastifyInstance = buildApp({ service, webhookSecrets: sealer });
    const sweep = new CaseSweep(service, { log: () => undefined });
    const receiver = await new Receiver().start();
    t.after(async () => {
      await sweep.stop();
      await webhooks.stop();
      await app.close();
      await receiver.stop();
      await store.close();
    });
    const keys: Record<string, string> = {};
    for (const [role, who] of [
      ['service', 'checkout'],
      ['analyst', 'alice'],
      ['analyst', 'bob'],
      ['analyst', 'carol'],
      ['admin', 'root'],
      ['auditor', 'audrey'],
    ] as const)
      keys[who] = (await createApiKey(store, role, who)).key;
    const call = (who: string, method: Method, url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { 'x-api-key': keys[who]! },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    const ok = async (who: string, method: Method, url: string, payload?: unknown, status = 200) => {
      const r = await call(who, method, url, payload);
      assert.equal(r.statusCode, status, `${method} ${url}: ${r.body}`);
      return r.json();
    };
    const refusal = async (who: string, method: Method, url: string, payload: unknown, status: number) => {
      const r = await call(who, method, url, payload);
      assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
      return r.json() as { error: string; message: string; details: { path: string; message: string }[] };
    };
    const list = async (query: string, who = 'alice') =>
      (await ok(who, 'GET', `/api/v1/cases${query}`)) as {
        items: AccountCase[];
        next_cursor: string | null;
        total: number;
      };
    const submit = async (id: string, account: string, amount: number, thresholds = ALL_REVIEW) => {
      engine.setSettings({ thresholds });
      try {
        const r = await call('checkout', 'POST', '/api/v1/transactions', {
          transaction_id: id,
          timestamp: now(),
          account_id: account,
          amount,
          currency: 'EUR',
          merchant_id: `shop-${account}`,
        });
        assert.equal(r.statusCode, 201, r.body);
      } finally {
        engine.setSettings({ thresholds: DEFAULT_THRESHOLDS });
      }
    };

    // A subscription for the case events, made before anything happens.
    await ok(
      'root',
      'POST',
      '/api/v1/webhooks',
      { url: receiver.url, events: ['case.opened', 'case.closed'] },
      201,
    );

    await t.test(
      'flagged decisions are grouped per account within the window; approvals are not',
      async () => {
        const start = now();
        await submit('a1', 'acct-a', 40);
        shift += HOUR;
        await submit('a2', 'acct-a', 60); // an hour later: joins a1's case
        await submit('b1', 'acct-b', 5000);
        await submit('c1', 'acct-c', 20);
        await submit('d1', 'acct-d', 30, ALL_APPROVE);
        const first = await sweep.tick();
        assert.equal(first.grouped, 4);
        assert.equal(first.opened, 3);
        shift += 30 * HOUR;
        await submit('a3', 'acct-a', 45); // 30 h after a2: past the 24 h window, a case of its own
        const second = await sweep.tick();
        assert.equal(second.grouped, 1);
        assert.equal(second.opened, 1);
        assert.equal((await sweep.tick()).grouped, 0, 'a decision is grouped once');

        const all = await list('?sort=age');
        assert.equal(all.total, 4);
        const a = all.items.filter((c) => c.account_id === 'acct-a');
        assert.deepEqual(
          a.map((c) => c.alert_count),
          [2, 1],
        );
        assert.ok(a[0]!.opened_at >= start && a[0]!.opened_at < start + HOUR, 'opened at its first decision');
        assert.equal(a[0]!.last_alert_at >= start + HOUR, true);
        assert.equal(
          all.items.find((c) => c.account_id === 'acct-d'),
          undefined,
          'an approval opens nothing',
        );
        assert.ok(all.items.every((c) => c.status === 'open' && c.queue === null && c.assignee === null));
      },
    );

    await t.test('the backlog lists the unrouted before any queue exists', async () => {
      const { queues } = await ok('audrey', 'GET', '/api/v1/queues/backlog');
      assert.equal(queues.length, 1);
      assert.equal(queues[0].queue, null);
      assert.equal(queues[0].active, 4);
      assert.equal(queues[0].sla_seconds, null);
      assert.equal(queues[0].breached, false);
    });

    await t.test('the sweep routes to two queues and deals within capacities, round robin', async () => {
      await ok(
        'root',
        'POST',
        '/api/v1/queues',
        {
          name: 'high amount',
          position: 0,
          filter: { min_amount: 1000 },
          members: [{ name: 'alice', capacity: 1 }],
          sla_seconds: 3600,
        },
        201,
      );
      await ok(
        'root',
        'POST',
        '/api/v1/queues',
        {
          name: 'everything',
          position: 1,
          members: [
            { name: 'bob', capacity: 2 },
            { name: 'carol', capacity: 1 },
          ],
          sla_seconds: 7 * 86_400,
        },
        201,
      );
      const pass = await sweep.tick();
      assert.equal(pass.routed, 4);
      assert.equal(pass.assigned.length, 4);
      const high = await list('?queue=high%20amount');
      assert.deepEqual(
        high.items.map((c) => [c.account_id, c.assignee]),
        [['acct-b', 'alice']],
      );
      const rest = await list('?queue=everything&sort=age');
      assert.deepEqual(
        rest.items.map((c) => c.assignee),
        ['bob', 'carol', 'bob'],
        'oldest first, in turns',
      );

      // Everyone in `everything` is at capacity: a new case waits unassigned, counted in the backlog.
      await submit('e1', 'acct-e', 25);
      const next = await sweep.tick();
      assert.equal(next.opened, 1);
      assert.equal(next.assigned.length, 0);
      const unassigned = await list('?assignee=none');
      assert.deepEqual(
        unassigned.items.map((c) => [c.account_id, c.queue]),
        [['acct-e', 'everything']],
      );
      const { queues } = await ok('alice', 'GET', '/api/v1/queues/backlog');
      assert.deepEqual(
        queues.map((q: { queue: string; active: number; unassigned: number; sla_seconds: number }) => [
          q.queue,
          q.active,
          q.unassigned,
          q.sla_seconds,
        ]),
        [
          ['high amount', 1, 0, 3600],
          ['everything', 4, 1, 7 * 86_400],
        ],
      );
      // acct-b's case was opened 30 h ago: past the 1 h SLA.
      assert.equal(queues[0].breached, true);
      assert.ok(queues[0].oldest_age_seconds >= 30 * 3600 - 5);
      assert.equal(queues[1].breached, false);
    });

    await t.test(
      'list filters: mine, assignee, queue, status, min_score, older_than, account; pages',
      async () => {
        const mine = await list('?mine=true', 'bob');
        assert.equal(mine.total, 2);
        assert.ok(mine.items.every((c) => c.assignee === 'bob'));
        assert.equal((await list('?assignee=carol')).total, 1);
        assert.equal((await list('?status=closed')).total, 0);
        assert.equal((await list('?status=open,in_review')).total, 5);
        assert.equal((await list('?status=all')).total, 5);
        const scored = await list('?min_score=0.3');
        assert.deepEqual(
          scored.items.map((c) => c.account_id),
          ['acct-b'],
          'only the large first payment scored',
        );
        // a1's case and b1's, c1's were opened 31 h ago; a3's and e1's just now.
        assert.equal((await list(`?older_than=${30 * 3600}`)).total, 3);
        assert.equal((await list('?older_than=0')).total, 5);
        assert.equal((await list('?account_id=acct-a')).total, 2);

        const byPriority = await list('');
        assert.equal(byPriority.items[0]!.account_id, 'acct-b', 'highest priority first');
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(`?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
          assert.ok(page.items.length <= 2);
          assert.equal(page.total, 5, 'the total counts every page');
          seen.push(...page.items.map((c) => c.id));
          cursor = page.next_cursor;
        } while (cursor !== null);
        assert.deepEqual(
          seen,
          byPriority.items.map((c) => c.id),
          'the pages, in order, are the whole list once',
        );
      },
    );

    const caseOf = async (account: string, query = '') =>
      (await list(`?account_id=${account}&sort=age${query}`)).items[0]!;

    await t.test('the detail: alerts, notes, timeline and the account’s active snoozes', async () => {
      const a = await caseOf('acct-a');
      await ok(
        'alice',
        'POST',
        '/api/v1/rules/first_payment_high_amount/snoozes',
        { entity_type: 'account', entity_id: 'acct-a', duration: '2h', reason: 'known traveller' },
        201,
      );
      const note = await ok(
        'carol',
        'POST',
        `/api/v1/cases/${a.id}/notes`,
        { text: 'called the cardholder' },
        201,
      );
      assert.equal(note.author, 'carol');
      assert.equal(note.case_id, a.id);
      const detail = (await ok('audrey', 'GET', `/api/v1/cases/${a.id}`)) as CaseDetail & {
        snoozes: { rule_id: string; entity_id: string; active: boolean }[];
      };
      assert.deepEqual(
        detail.alerts.map((x) => x.transaction_id),
        ['a1', 'a2'],
      );
      assert.equal(detail.alerts[0]!.status, 'open');
      assert.deepEqual(
        detail.notes.map((n) => n.text),
        ['called the cardholder'],
      );
      const actions = detail.timeline.map((e) => e.action);
      for (const action of ['opened', 'alert_added', 'routed', 'assigned', 'note_added'])
        assert.ok(actions.includes(action as never), `${action} in ${actions.join(', ')}`);
      assert.deepEqual(
        detail.snoozes.map((s) => [s.rule_id, s.entity_id, s.active]),
        [['first_payment_high_amount', 'acct-a', true]],
      );
      const unknown = await refusal('alice', 'GET', '/api/v1/cases/case_nope', undefined, 404);
      assert.match(unknown.message, /case_nope/);
    });

    await t.test('assign "me" puts a case in mine; the same again changes nothing; unassign', async () => {
      const c = await caseOf('acct-c');
      const taken = await ok('alice', 'POST', `/api/v1/cases/${c.id}/assign`, { assignee: 'me' });
      assert.equal(taken.changed, true);
      assert.equal(taken.case.assignee, 'alice');
      assert.ok((await list('?mine=true', 'alice')).items.some((x) => x.id === c.id));
      const again = await ok('alice', 'POST', `/api/v1/cases/${c.id}/assign`, { assignee: 'alice' });
      assert.equal(again.changed, false);
      const dropped = await ok('bob', 'POST', `/api/v1/cases/${c.id}/assign`, { assignee: null });
      assert.equal(dropped.case.assignee, null);
      await ok('alice', 'POST', `/api/v1/cases/${c.id}/assign`, { assignee: 'me' });
      const trail = await store.listAudit({ actor: 'bob' });
      assert.ok(
        trail.some((e) => e.action.startsWith('case_')),
        'an analyst’s change is audited',
      );
    });

    await t.test(
      'closing as fraud labels the transactions, feeds the engine, announces case.closed',
      async () => {
        const a = await caseOf('acct-a');
        const closed = await ok('alice', 'POST', `/api/v1/cases/${a.id}/status`, {
          status: 'closed_fraud',
          note: 'account taken over',
        });
        assert.equal(closed.changed, true);
        assert.equal(closed.case.status, 'closed_fraud');
        assert.equal(closed.case.closed_by, 'alice');
        assert.deepEqual([...closed.labelled].sort(), ['a1', 'a2']);
        for (const id of ['a1', 'a2']) {
          const tx = await ok('checkout', 'GET', `/api/v1/transactions/${id}`);
          assert.equal(tx.status, 'confirmed_fraud');
          assert.equal(tx.label.source, 'verdict');
        }
        // The engine learnt it: the next payment at that merchant sees known labels in its merchant risk.
        shift += 1000;
        await submit('a-after', 'acct-a', 10);
        assert.ok(
          engine.features[indexOfFeature('merchant_labels_known')]! >= 1,
          'labels reached merchant risk',
        );
        const detail = (await ok('alice', 'GET', `/api/v1/cases/${a.id}`)) as CaseDetail;
        assert.ok(
          detail.notes.some((n) => n.text === 'account taken over'),
          'the note went in with the close',
        );
        assert.ok(
          (await store.listAudit({ actor: 'alice' })).some((e) => e.action === 'case_status_changed'),
        );

        const again = await ok('alice', 'POST', `/api/v1/cases/${a.id}/status`, { status: 'closed_fraud' });
        assert.equal(again.changed, false);
        assert.deepEqual(again.labelled, []);
        const wrong = await refusal(
          'alice',
          'POST',
          `/api/v1/cases/${a.id}/status`,
          { status: 'escalated' },
          409,
        );
        assert.equal(wrong.details[0]!.path, 'status');
        const assignClosed = await refusal(
          'alice',
          'POST',
          `/api/v1/cases/${a.id}/assign`,
          { assignee: 'bob' },
          409,
        );
        assert.match(assignClosed.message, /closed/);
        assert.equal((await list('?status=closed')).total, 1);
        // A note on a closed case is still taken.
        await ok('bob', 'POST', `/api/v1/cases/${a.id}/notes`, { text: 'chargeback filed' }, 201);

        // Delivery is at least once (the clock moved 30 h past the sender's lease): receivers dedupe by event id.
        await receiver.waitFor(6);
        const byId = new Map(receiver.events().map((e) => [e.id, e]));
        const events = [...byId.values()];
        const opened = events.filter((e) => e.type === 'case.opened');
        assert.equal(opened.length, 5, 'one case.opened per case');
        assert.equal(new Set(opened.map((e) => e.data.case_id)).size, 5);
        assert.ok(
          opened.every((e) => typeof e.data.case_id === 'string' && e.data.case_id.startsWith('case_')),
        );
        const closedEvent = events.find((e) => e.type === 'case.closed')!;
        assert.equal(closedEvent.data.case_id, a.id);
        assert.equal(closedEvent.data.account_id, 'acct-a');
        assert.equal(closedEvent.data.status, 'closed_fraud');
        assert.equal(closedEvent.data.alert_count, 2);
        assert.deepEqual([...(closedEvent.data.labelled as string[])].sort(), ['a1', 'a2']);
      },
    );

    await t.test('bulk: assign and close several, one result each', async () => {
      const open = await list('?account_id=acct-e');
      const c = await caseOf('acct-c');
      const closed = (await list('?status=closed')).items[0]!;
      const assigned = await ok('bob', 'POST', '/api/v1/cases/bulk', {
        case_ids: [open.items[0]!.id, c.id, closed.id, 'case_missing'],
        action: 'assign',
        assignee: 'me',
      });
      assert.deepEqual(
        assigned.results.map((r: { result: string }) => r.result),
        ['changed', 'changed', 'refused', 'not_found'],
      );
      assert.match(assigned.results[2].reason, /closed/);
      const legit = await ok('bob', 'POST', '/api/v1/cases/bulk', {
        case_ids: [open.items[0]!.id, c.id],
        action: 'status',
        status: 'closed_legitimate',
        note: 'travel confirmed',
      });
      assert.deepEqual(
        legit.results.map((r: { result: string }) => r.result),
        ['changed', 'changed'],
      );
      assert.equal((await ok('checkout', 'GET', '/api/v1/transactions/c1')).status, 'legitimate');
      assert.equal((await ok('checkout', 'GET', '/api/v1/transactions/e1')).status, 'legitimate');
    });

    await t.test('roles: auditors read and may not change; the service role may not read', async () => {
      const c = await caseOf('acct-b');
      await ok('audrey', 'GET', '/api/v1/cases');
      await ok('audrey', 'GET', `/api/v1/cases/${c.id}`);
      for (const [url, body] of [
        [`/api/v1/cases/${c.id}/assign`, { assignee: 'audrey' }],
        [`/api/v1/cases/${c.id}/notes`, { text: 'x' }],
        [`/api/v1/cases/${c.id}/status`, { status: 'escalated' }],
        ['/api/v1/cases/bulk', { case_ids: [c.id], action: 'status', status: 'escalated' }],
      ] as const)
        await refusal('audrey', 'POST', url, body, 403);
      await refusal('checkout', 'GET', '/api/v1/cases', undefined, 403);
      await refusal('checkout', 'GET', `/api/v1/cases/${c.id}`, undefined, 403);
      await refusal('checkout', 'GET', '/api/v1/queues/backlog', undefined, 403);
      const noKey = await app.inject({ method: 'GET', url: '/api/v1/cases' });
      assert.equal(noKey.statusCode, 401);
      assert.equal((await caseOf('acct-b')).assignee, 'alice', 'nothing changed');
    });

    await t.test('bad input is a 400 naming the field; nothing is written', async () => {
      const c = await caseOf('acct-b');
      const before = (await ok('alice', 'GET', `/api/v1/cases/${c.id}`)) as CaseDetail;
      const crafted = Buffer.from(JSON.stringify({ k: 'DROP TABLE', id: 5 })).toString('base64url');
      const gets: [string, string][] = [
        ['?status=bogus', 'status'],
        ['?status=open,,closed', 'status'],
        ['?limit=0', 'limit'],
        ['?limit=201', 'limit'],
        ['?min_score=2', 'min_score'],
        ['?older_than=-1', 'older_than'],
        ['?sort=score', 'sort'],
        ['?mine=true&assignee=bob', 'mine'],
        [`?cursor=${crafted}`, 'cursor'],
        ['?cursor=not*base64', 'cursor'],
        ['?colour=red', 'colour'],
      ];
      for (const [query, path] of gets) {
        const r = await refusal('alice', 'GET', `/api/v1/cases${query}`, undefined, 400);
        assert.ok(
          r.details.some((d) => d.path === path),
          `${query} names ${path}: ${JSON.stringify(r)}`,
        );
      }
      const posts: [string, unknown, string][] = [
        [`/api/v1/cases/${c.id}/assign`, {}, 'assignee'],
        [`/api/v1/cases/${c.id}/assign`, { assignee: '' }, 'assignee'],
        [`/api/v1/cases/${c.id}/notes`, { text: '' }, 'text'],
        [`/api/v1/cases/${c.id}/notes`, { text: '   ' }, 'text'],
        [`/api/v1/cases/${c.id}/notes`, { text: 'x'.repeat(4001) }, 'text'],
        [`/api/v1/cases/${c.id}/status`, { status: 'solved' }, 'status'],
        [`/api/v1/cases/${c.id}/status`, { status: 'escalated', extra: 1 }, 'extra'],
        ['/api/v1/cases/bulk', { case_ids: [], action: 'assign', assignee: 'bob' }, 'case_ids'],
        ['/api/v1/cases/bulk', { case_ids: [c.id], action: 'assign' }, 'assignee'],
        ['/api/v1/cases/bulk', { case_ids: [c.id], action: 'status' }, 'status'],
        [
          '/api/v1/cases/bulk',
          { case_ids: [c.id], action: 'assign', assignee: 'bob', status: 'open' },
          'status',
        ],
        ['/api/v1/cases/bulk', { case_ids: [c.id], action: 'close' }, 'action'],
        [
          '/api/v1/cases/bulk',
          { case_ids: Array.from({ length: 201 }, (_, i) => `case_${i}`), action: 'status', status: 'open' },
          'case_ids',
        ],
      ];
      for (const [url, body, path] of posts) {
        const r = await refusal('alice', 'POST', url, body, 400);
        assert.ok(
          r.details.some((d) => d.path === path),
          `${url} ${JSON.stringify(body).slice(0, 80)} names ${path}: ${JSON.stringify(r).slice(0, 300)}`,
        );
      }
      await refusal('alice', 'POST', '/api/v1/cases/case_nope/assign', { assignee: 'me' }, 404);
      await refusal('alice', 'POST', '/api/v1/cases/case_nope/notes', { text: 'hello' }, 404);
      await refusal('alice', 'POST', '/api/v1/cases/case_nope/status', { status: 'open' }, 404);
      const afterwards = (await ok('alice', 'GET', `/api/v1/cases/${c.id}`)) as CaseDetail;
      assert.deepEqual(afterwards.timeline, before.timeline, 'nothing half-written');
    });

    await t.test('the gauges on /metrics show the backlog per queue and the SLA', async () => {
      await sweep.tick();
      const text = await (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const value = (series: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        assert.ok(line !== undefined, `${series} in /metrics`);
        return Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      assert.equal(value('fraudwatch_case_backlog{queue="high amount"}'), 1);
      assert.equal(value('fraudwatch_case_backlog{queue="everything"}'), 1); // a3's case (a-after joined it)
      assert.equal(value('fraudwatch_case_sla_seconds{queue="high amount"}'), 3600);
      assert.ok(value('fraudwatch_case_oldest_age_seconds{queue="high amount"}') > 3600);
      assert.equal(value('fraudwatch_cases_opened_total'), 5);
      assert.equal(value('fraudwatch_cases_auto_assigned_total'), 4);
    });
  });
}

casesSuite(
  'embedded',
  async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-cases-api-')), 'c.db')),
);
casesSuite('PostgreSQL', async () => {
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return new PostgresStore(url.toString(), 4);
});
