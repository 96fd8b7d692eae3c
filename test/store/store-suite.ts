/** One behavioural suite that both stores must pass: the embedded SQLite store and PostgreSQL. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision, Outcome } from '../../src/engine/decision.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { FEATURE_COUNT } from '../../src/engine/features/catalog.ts';
import { LATEST_SCHEMA } from '../../src/store/migrations.ts';
import { verifyAuditTrail } from '../../src/store/audit-chain.ts';
import { snoozeSuite } from './snooze-suite.ts';
import {
  ABANDONED_MESSAGE,
  type DecisionStore,
  type NewDecision,
  type NewTrainingRun,
  type StoredLabel,
  type StoredTransaction,
  type StoredVerdict,
} from '../../src/store/types.ts';
import { webhookSuite } from './webhook-suite.ts';
import { queueStoreSuite } from './queue-store-suite.ts';
import { caseSuite } from './case-suite.ts';

const T0 = Date.UTC(2026, 2, 1);

function record(i: number, score: number, outcome: Outcome, extra: Partial<Transaction> = {}): NewDecision {
  const transaction: Transaction = {
    transaction_id: `t${String(i).padStart(4, '0')}`,
    timestamp: T0 + i * 60_000,
    account_id: `a${i % 5}`,
    amount: 10 + i,
    currency: 'EUR',
    merchant_id: `m${i % 3}`,
    ...extra,
  };
  const decision: Decision = {
    transaction_id: transaction.transaction_id,
    score,
    outcome,
    reasons: outcome === 'approve' ? [] : [{ kind: 'rule', rule: 'r@1', reason: 'because', score }],
    rule_score: score,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  return {
    transaction,
    decision,
    payload_hash: `h${transaction.transaction_id}${transaction.amount}`,
    decided_at: T0 + i * 60_000 + 5,
  };
}

async function all(
  store: DecisionStore,
  q: Parameters<DecisionStore['listAnomalies']>[0],
): Promise<StoredTransaction[]> {
  const out: StoredTransaction[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listAnomalies({ ...q, cursor });
    out.push(...page.items);
    if (page.next_cursor === null) return out;
    cursor = page.next_cursor;
  }
}

/** Runs SQL on the store's database behind its back: what someone with database access could do. */
export type RawSql = (sql: string) => Promise<void>;

export function storeSuite(
  name: string,
  open: () => Promise<DecisionStore | string>,
  raw: () => RawSql,
): void {
  let store: DecisionStore;
  let unavailable: string | null = null;
  const ready = (async () => {
    const opened = await open();
    if (typeof opened === 'string') unavailable = opened;
    else store = opened;
  })();
  after(async () => {
    await ready;
    if (!unavailable) await store.close();
  });
  const it = (title: string, body: () => Promise<void>): void => {
    test(`${name}: ${title}`, async (t) => {
      await ready;
      if (unavailable) {
        if (process.env.CI === 'true') assert.fail(`${name} is required in CI: ${unavailable}`);
        console.warn(`\n*** ${name} SKIPPED: ${unavailable} ***\n`);
        t.skip(unavailable);
        return;
      }
      await body();
    });
  };

  const flagged = [
    record(1, 0.9, 'block_and_review'),
    record(2, 0.6, 'review'),
    record(3, 0.97, 'decline'),
    record(4, 0.6, 'review'),
    record(5, 0.55, 'review', { account_id: 'special' }),
  ];
  const approved = [record(6, 0.1, 'approve'), record(7, 0.2, 'approve')];

  it('migrations apply on an empty database and are idempotent', async () => {
    assert.equal(await store.migrate(), LATEST_SCHEMA);
    assert.equal(await store.migrate(), LATEST_SCHEMA);
    assert.equal(await store.ping(), true);
  });

  it('stores transactions with decisions; a resubmission returns the first decision; another payload conflicts', async () => {
    const results = await store.saveDecisions([...flagged, ...approved]);
    assert.deepEqual(
      results.map((r) => r.kind),
      Array(7).fill('created'),
    );
    const again = await store.saveDecisions([
      { ...flagged[0]!, decision: { ...flagged[0]!.decision, score: 0.1, outcome: 'approve' } },
      { ...flagged[1]!, payload_hash: 'different' },
    ]);
    assert.equal(again[0]!.kind, 'duplicate');
    assert.equal(again[0]!.decision.score, 0.9, 'the stored decision, not the new one');
    assert.equal(again[1]!.kind, 'conflict');
    const inBatch = await store.saveDecisions([
      record(50, 0.7, 'review'),
      record(50, 0.7, 'review'),
      { ...record(50, 0.7, 'review'), payload_hash: 'x' },
    ]);
    assert.deepEqual(
      inBatch.map((r) => r.kind),
      ['created', 'duplicate', 'conflict'],
    );
    const stored = await store.getTransaction('t0001');
    assert.deepEqual(stored?.transaction, flagged[0]!.transaction);
    assert.deepEqual(stored?.decision, flagged[0]!.decision);
    assert.equal(stored?.status, 'open', 'block and review opens a case');
    assert.equal((await store.getTransaction('t0002'))?.status, 'open', 'review opens a case');
    assert.equal((await store.getTransaction('t0003'))?.status, 'decided', 'a decline is decided, no case');
    assert.equal((await store.getTransaction('t0006'))?.status, 'none', 'an approval has no case');
    assert.equal(await store.getTransaction('nope'), null);
    const found = await store.findDecisions(['t0001', 'nope', 't0050']);
    assert.deepEqual([...found.keys()].sort(), ['t0001', 't0050']);
    assert.equal(found.get('t0001')?.payload_hash, flagged[0]!.payload_hash);
    assert.deepEqual(found.get('t0001')?.decision, flagged[0]!.decision);
    assert.equal((await store.findDecisions([])).size, 0);
  });

  it('a batch that fails on one row is written not at all, and the store goes on', async () => {
    const broken = record(61, 0.3, 'approve', { account_id: undefined as unknown as string });
    await assert.rejects(store.saveDecisions([record(60, 0.3, 'approve'), broken]));
    assert.equal(await store.getTransaction('t0060'), null, 'the valid row of the failed batch is not kept');
    const retried = await store.saveDecisions([record(60, 0.3, 'approve')]);
    assert.equal(retried[0]!.kind, 'created');
    assert.equal(await store.ping(), true);
  });

  it('lists flagged transactions by score, highest first, with filters and counts', async () => {
    const byScore = await store.listAnomalies({ limit: 100 });
    assert.deepEqual(
      byScore.items.map((s) => s.transaction.transaction_id),
      ['t0003', 't0001', 't0050', 't0002', 't0004', 't0005'],
    );
    assert.equal(byScore.next_cursor, null);
    assert.equal(await store.countAnomalies({}), 6);
    assert.deepEqual((await store.listAnomalies({ outcome: 'review' })).items.length, 4);
    assert.deepEqual(
      (await store.listAnomalies({ min_score: 0.8 })).items.map((s) => s.transaction.transaction_id),
      ['t0003', 't0001'],
    );
    assert.deepEqual(
      (await store.listAnomalies({ account_id: 'special' })).items.map((s) => s.transaction.transaction_id),
      ['t0005'],
    );
    assert.deepEqual(
      (await store.listAnomalies({ from: T0 + 2 * 60_000, to: T0 + 4 * 60_000 })).items.map(
        (s) => s.transaction.transaction_id,
      ),
      ['t0003', 't0002'],
    );
    assert.equal(await store.countAnomalies({ outcome: 'review', min_score: 0.6 }), 3);
    const byTime = await store.listAnomalies({ sort: 'time' });
    assert.deepEqual(
      byTime.items.map((s) => s.transaction.transaction_id),
      ['t0050', 't0005', 't0004', 't0003', 't0002', 't0001'],
    );
  });

  it('cursor pagination walks every flagged transaction once, ties included', async () => {
    for (const sort of ['score', 'time'] as const) {
      const paged = await all(store, { sort, limit: 2 });
      const whole = (await store.listAnomalies({ sort, limit: 1000 })).items;
      assert.deepEqual(
        paged.map((s) => s.transaction.transaction_id),
        whole.map((s) => s.transaction.transaction_id),
        sort,
      );
    }
    await assert.rejects(store.listAnomalies({ limit: 0 }), /limit: must be an integer from 1 to 1000/);
    await assert.rejects(store.listAnomalies({ limit: 1001 }), /limit/);
    await assert.rejects(
      store.listAnomalies({ cursor: 'garbage' }),
      /cursor: not a cursor this server issued/,
    );
  });

  it('a status change is stored with its audit entry; unknown ids are null', async () => {
    const change = await store.setStatus('t0002', 'confirmed_fraud', 'alice', 'chargeback', T0 + 999);
    assert.deepEqual(
      { old: change?.old_status, new: change?.new_status, tx: change?.transaction.transaction_id },
      { old: 'open', new: 'confirmed_fraud', tx: 't0002' },
    );
    assert.equal((await store.getTransaction('t0002'))?.status, 'confirmed_fraud');
    assert.equal(await store.setStatus('nope', 'legitimate', 'alice', null, T0), null);
    await store.setStatus('t0002', 'legitimate', 'bob', null, T0 + 1000);
    const trail = await store.listAudit({ transaction_id: 't0002' });
    assert.deepEqual(
      trail.map((e) => [e.actor, e.action, e.old_value, e.new_value, e.note, e.at]),
      [
        ['alice', 'status_change', 'open', 'confirmed_fraud', 'chargeback', T0 + 999],
        ['bob', 'status_change', 'confirmed_fraud', 'legitimate', null, T0 + 1000],
      ],
    );
    assert.equal((await store.listAnomalies({ status: 'legitimate' })).items.length, 1);
    assert.deepEqual(
      (await store.listAnomalies({ status: 'decided' })).items.map((s) => s.transaction.transaction_id),
      ['t0003'],
      'the open queue leaves declines out; they are listed as decided',
    );
    await store.audit({
      at: T0,
      actor: 'admin',
      action: 'rules_publish',
      transaction_id: null,
      old_value: 'v1',
      new_value: 'v2',
      note: null,
    });
    assert.deepEqual(
      (await store.listAudit({ action: 'rules_publish' })).map((e) => e.new_value),
      ['v2'],
    );
    assert.equal((await store.listAudit({ actor: 'bob' })).length, 1);
  });

  it('the same status twice is written and audited once; a change limited to some statuses refuses the rest', async () => {
    await store.saveDecisions([record(70, 0.7, 'review'), record(71, 0.97, 'decline')]);
    const first = await store.setStatus('t0070', 'confirmed_fraud', 'alice', null, T0 + 1);
    const again = await store.setStatus('t0070', 'confirmed_fraud', 'bob', 'twice', T0 + 2);
    assert.equal(first?.result, 'changed');
    assert.deepEqual(
      [again?.result, again?.old_status, again?.new_status],
      ['unchanged', 'confirmed_fraud', 'confirmed_fraud'],
    );
    assert.equal(
      (await store.getTransaction('t0070'))?.updated_at,
      T0 + 1,
      'nothing written the second time',
    );
    const reopen = {
      action: 'case_reopened',
      onlyFrom: ['decided', 'confirmed_fraud', 'legitimate'],
    } as const;
    const reopened = await store.setStatus('t0070', 'open', 'carol', 'disputed', T0 + 3, reopen);
    assert.deepEqual(
      [reopened?.result, reopened?.old_status, reopened?.new_status],
      ['changed', 'confirmed_fraud', 'open'],
    );
    const refused = await store.setStatus('t0070', 'under_review', 'carol', null, T0 + 4, {
      ...reopen,
      onlyFrom: ['decided'],
    });
    assert.deepEqual([refused?.result, refused?.new_status], ['refused', 'open']);
    assert.equal((await store.setStatus('t0071', 'open', 'dave', null, T0 + 5, reopen))?.result, 'changed');
    const trail = await store.listAudit({ transaction_id: 't0070' });
    assert.deepEqual(
      trail.map((e) => [e.actor, e.action, e.old_value, e.new_value]),
      [
        ['alice', 'status_change', 'open', 'confirmed_fraud'],
        ['carol', 'case_reopened', 'confirmed_fraud', 'open'],
      ],
    );
    assert.equal(await store.deleteTransactions(['t0070', 't0071']), 2);
  });

  it('API keys: stored by hash, found, listed, revoked once', async () => {
    const key = {
      id: 'k1',
      name: 'checkout',
      role: 'service' as const,
      key_hash: 'ab'.repeat(32),
      created_at: T0,
      revoked_at: null,
    };
    await store.createApiKey(key);
    assert.deepEqual(await store.findApiKey(key.key_hash), { ...key, expires_at: null });
    assert.equal(await store.findApiKey('cd'.repeat(32)), null);
    await assert.rejects(store.createApiKey({ ...key, id: 'k2' }), 'a hash is unique');
    assert.equal(await store.revokeApiKey('k1', T0 + 5), true);
    assert.equal(await store.revokeApiKey('k1', T0 + 6), false, 'already revoked');
    assert.equal(await store.revokeApiKey('nope', T0), false);
    assert.equal((await store.findApiKey(key.key_hash))?.revoked_at, T0 + 5);
    assert.deepEqual(
      (await store.listApiKeys()).map((k) => k.id),
      ['k1'],
    );
  });

  it('API keys: an expiry is kept; rotation stores the new key, revokes the old (maybe later) and audits, atomically', async () => {
    const base = { role: 'admin' as const, created_at: T0, revoked_at: null };
    const old = {
      ...base,
      id: 'r1',
      name: 'ops',
      key_hash: '01'.repeat(32),
      expires_at: T0 + 90 * 86_400_000,
    };
    const audit = (action: string, oldValue: string) => ({
      at: T0,
      actor: 'cli:root',
      action,
      transaction_id: null,
      old_value: oldValue,
      new_value: null,
      note: null,
    });
    await store.createApiKey(old, audit('key_create', 'r1'));
    assert.equal((await store.findApiKey(old.key_hash))?.expires_at, T0 + 90 * 86_400_000);
    const next = { ...base, id: 'r2', name: 'ops', key_hash: '02'.repeat(32), expires_at: null };
    assert.equal(await store.rotateApiKey('r1', next, T0 + 3_600_000, audit('key_rotate', 'r1')), true);
    assert.equal(
      (await store.findApiKey(old.key_hash))?.revoked_at,
      T0 + 3_600_000,
      'revoked after the grace',
    );
    assert.equal((await store.findApiKey(next.key_hash))?.revoked_at, null);
    const again = { ...next, id: 'r3', key_hash: '03'.repeat(32) };
    assert.equal(
      await store.rotateApiKey('r1', again, T0, audit('key_rotate', 'r1')),
      false,
      'rotated already',
    );
    assert.equal(await store.findApiKey(again.key_hash), null, 'nothing stored for a refused rotation');
    const clash = { ...next, id: 'r4' }; // the same hash as r2: the insert fails
    await assert.rejects(store.rotateApiKey('r2', clash, T0, audit('key_rotate', 'r2')));
    assert.equal(
      (await store.findApiKey(next.key_hash))?.revoked_at,
      null,
      'a failed rotation revokes nothing',
    );
    assert.equal(
      await store.revokeApiKey('r1', T0 + 60_000, audit('key_revoke', 'r1')),
      true,
      'in its grace',
    );
    assert.deepEqual(
      (await store.listAudit({})).filter((e) => e.action.startsWith('key_')).map((e) => e.action),
      ['key_create', 'key_rotate', 'key_revoke'],
    );
  });

  it('audit: newest first with an id cursor, filters by actor, action and time; every entry is chained', async () => {
    for (let i = 0; i < 5; i++) {
      await store.audit({
        at: T0 + 10_000 + i,
        actor: i % 2 === 0 ? 'pager' : 'other',
        action: 'page_test',
        transaction_id: null,
        old_value: null,
        new_value: String(i),
        note: null,
      });
    }
    const newest = await store.listAudit({ action: 'page_test', order: 'desc', limit: 2 });
    assert.deepEqual(
      newest.map((e) => e.new_value),
      ['4', '3'],
    );
    const rest = await store.listAudit({ action: 'page_test', order: 'desc', before_id: newest[1]!.id });
    assert.deepEqual(
      rest.map((e) => e.new_value),
      ['2', '1', '0'],
    );
    assert.deepEqual(
      (await store.listAudit({ actor: 'pager', from: T0 + 10_001, to: T0 + 10_004 })).map((e) => e.new_value),
      ['2'],
    );
    const all = await store.listAudit({ limit: 1000 });
    assert.ok(all.every((e) => e.hash !== null && /^[0-9a-f]{64}$/.test(e.hash)));
    for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prev_hash, all[i - 1]!.hash);
    const verified = await verifyAuditTrail(store, 3);
    assert.equal(verified.broken, null);
    assert.equal(verified.chained, all.length);
    assert.equal(verified.head, all[all.length - 1]!.hash);
  });

  it('audit: concurrent writers keep one chain', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      store.audit({
        at: T0 + 20_000 + i,
        actor: `writer-${i % 4}`,
        action: 'concurrent_test',
        transaction_id: null,
        old_value: null,
        new_value: String(i),
        note: null,
      }),
    );
    await Promise.all([...writes, store.setStatus('t0004', 'under_review', 'carol', null, T0 + 20_100)]);
    const verified = await verifyAuditTrail(store);
    assert.equal(verified.broken, null, JSON.stringify(verified.broken));
    assert.equal((await store.listAudit({ action: 'concurrent_test' })).length, 40);
  });

  it('audit: a changed or deleted entry breaks the chain at that entry, and verification names it', async () => {
    const sql = raw();
    const entries = await store.listAudit({ action: 'page_test', order: 'asc' });
    const [, second, third] = entries;
    await sql(`UPDATE audit SET new_value = 'forged' WHERE id = ${second!.id}`);
    let verified = await verifyAuditTrail(store);
    assert.equal(verified.broken?.id, second!.id);
    assert.match(verified.broken!.reason, /contents were changed/);
    await sql(`UPDATE audit SET new_value = '${second!.new_value}' WHERE id = ${second!.id}`);
    assert.equal((await verifyAuditTrail(store)).broken, null, 'restored: whole again');
    await sql(`DELETE FROM audit WHERE id = ${second!.id}`);
    verified = await verifyAuditTrail(store);
    assert.equal(verified.broken?.id, third!.id, 'the entry after the gap');
    assert.match(verified.broken!.reason, /does not link to the entry before it/);
  });

  it('rule versions: appended, listed newest first', async () => {
    await store.saveRuleVersion({
      version: 'v1',
      document: '{"version":"v1","rules":[]}',
      published_at: T0,
      published_by: 'admin',
    });
    await store.saveRuleVersion({
      version: 'v2',
      document: '{"version":"v2","rules":[]}',
      published_at: T0 + 1,
      published_by: 'bob',
    });
    const versions = await store.listRuleVersions(10);
    assert.deepEqual(
      versions.map((v) => [v.version, v.published_by]),
      [
        ['v2', 'bob'],
        ['v1', 'admin'],
      ],
    );
    assert.equal((await store.listRuleVersions(1)).length, 1);
  });

  it('rule versions: a name is published once; the first publication is found by name', async () => {
    const doc = '{"version":"v3","rules":[]}';
    const first = await store.publishRuleVersion(
      { version: 'v3', document: doc, published_at: T0 + 2, published_by: 'carol' },
      {
        at: T0 + 2,
        actor: 'carol',
        action: 'rules_publish',
        transaction_id: null,
        old_value: 'v2',
        new_value: 'v3',
        note: null,
      },
    );
    assert.deepEqual(first, { kind: 'created' });
    const again = await store.publishRuleVersion({
      version: 'v3',
      document: '{"version":"v3","rules":[{"other":true}]}',
      published_at: T0 + 3,
      published_by: 'erin',
    });
    assert.equal(again.kind, 'exists');
    assert.equal(again.kind === 'exists' && again.existing.document, doc, 'the stored one, not the new one');
    assert.equal((await store.listRuleVersions(10)).filter((v) => v.version === 'v3').length, 1);
    assert.equal((await store.listAudit({ actor: 'erin' })).length, 0, 'nothing stored, nothing audited');
    // A rollback to v1 appends a publication of v1; looking v1 up by name still finds its first.
    await store.saveRuleVersion({
      version: 'v1',
      document: '{"version":"v1","rules":[]}',
      published_at: T0 + 4,
      published_by: 'carol',
    });
    const v1 = await store.findRuleVersion('v1');
    assert.equal(v1?.published_by, 'admin');
    assert.equal(v1?.published_at, T0);
    assert.equal(await store.findRuleVersion('v9'), null);
    const concurrent = await Promise.all(
      [1, 2, 3].map((i) =>
        store.publishRuleVersion({
          version: 'v4',
          document: `{"version":"v4","n":${i}}`,
          published_at: T0 + 10 + i,
          published_by: `racer-${i}`,
        }),
      ),
    );
    assert.equal(concurrent.filter((r) => r.kind === 'created').length, 1, 'one of three racers stores v4');
  });

  it('settings versions: appended with their audit entry, the newest first, one found by seq', async () => {
    const audit = (value: string) => ({
      at: T0,
      actor: 'admin',
      action: 'settings_change',
      transaction_id: null,
      old_value: null,
      new_value: value,
      note: null,
    });
    assert.deepEqual(await store.listSettingsVersions(5), []);
    const a = JSON.stringify({ bypass: false, thresholds: { review: 0.4 } });
    const b = JSON.stringify({ bypass: true, thresholds: { review: 0.4 } });
    const first = await store.saveSettingsVersion(
      { settings: a, changed_at: T0, changed_by: 'admin' },
      audit(a),
    );
    const second = await store.saveSettingsVersion(
      { settings: b, changed_at: T0 + 1, changed_by: 'erin' },
      audit(b),
    );
    assert.ok(second > first);
    const listed = await store.listSettingsVersions(5);
    assert.deepEqual(
      listed.map((v) => [v.seq, v.settings, v.changed_at, v.changed_by]),
      [
        [second, b, T0 + 1, 'erin'],
        [first, a, T0, 'admin'],
      ],
    );
    assert.equal((await store.listSettingsVersions(1)).length, 1);
    assert.equal((await store.getSettingsVersion(first))?.settings, a);
    assert.equal(await store.getSettingsVersion(second + 100), null);
    const entries = await store.listAudit({ action: 'settings_change' });
    assert.equal(entries.length, 2);
    assert.equal(entries[1]!.prev_hash, entries[0]!.hash, 'chained like every other entry');
  });

  it('retention: the oldest decided rows come first and deleting them leaves the rest and the audit trail', async () => {
    const cutoff = T0 + 3 * 60_000 + 10; // decided_at of t0001..t0003 are before it
    const old = await store.oldestDecidedBefore(cutoff, 2);
    assert.deepEqual(
      old.map((s) => s.transaction.transaction_id),
      ['t0001', 't0002'],
    );
    const all = await store.oldestDecidedBefore(cutoff, 100);
    assert.deepEqual(
      all.map((s) => s.transaction.transaction_id),
      ['t0001', 't0002', 't0003'],
    );
    assert.equal(await store.deleteTransactions(['t0001', 't0002', 'missing']), 2);
    assert.equal(await store.getTransaction('t0001'), null);
    assert.ok(await store.getTransaction('t0004'));
    assert.equal(
      (await store.listAudit({ transaction_id: 't0002' })).length,
      2,
      'the audit trail outlives the rows',
    );
  });

  it("an account's transactions, newest first", async () => {
    const rows = await store.accountTransactions('a4', 10);
    assert.deepEqual(
      rows.map((s) => s.transaction.transaction_id),
      ['t0004'],
    );
    await store.saveDecisions([record(9, 0.1, 'approve'), record(14, 0.1, 'approve')]);
    assert.deepEqual(
      (await store.accountTransactions('a4', 10)).map((s) => s.transaction.transaction_id),
      ['t0014', 't0009', 't0004'],
    );
    assert.equal((await store.accountTransactions('a4', 1)).length, 1);
    assert.deepEqual(await store.accountTransactions('nobody', 10), []);
  });

  it('scores and amounts keep every bit: a filter at a stored score finds it, one a step above does not', async () => {
    const score = 0.1 + 0.2; // 0.30000000000000004
    const above = score + Number.EPSILON / 4; // the next double up
    assert.notEqual(above, score);
    await store.saveDecisions([record(201, score, 'review', { amount: 1234.5678901234567 })]);
    const at = await store.listAnomalies({ min_score: score });
    assert.ok(at.items.some((s) => s.transaction.transaction_id === 't0201'));
    const past = await store.listAnomalies({ min_score: above });
    assert.ok(!past.items.some((s) => s.transaction.transaction_id === 't0201'));
    assert.equal((await store.getTransaction('t0201'))!.transaction.amount, 1234.5678901234567);
  });

  it('account ids are found as sent whatever their characters; one not well-formed UTF-16 fails no batch', async () => {
    const odd = `q"'\\ \\u0041 \u00e9\u20ac\u{1f600}\u2028`;
    const lone = 'x\ud800y'; // JSON.parse makes such strings from "\ud800" in a request body
    const results = await store.saveDecisions([
      record(211, 0.1, 'approve', { account_id: odd, merchant_id: undefined }),
      record(212, 0.1, 'approve', { account_id: lone, merchant_id: 'm\udfff' }),
      record(213, 0.1, 'approve'),
    ]);
    assert.deepEqual(
      results.map((r) => r.kind),
      ['created', 'created', 'created'],
    );
    assert.deepEqual(
      (await store.accountTransactions(odd, 10)).map((s) => s.transaction.transaction_id),
      ['t0211'],
    );
    assert.deepEqual(
      (await store.accountTransactions(lone, 10)).map((s) => s.transaction.transaction_id),
      ['t0212'],
    );
  });

  it('attributes are stored with the transaction and come back exactly on every read path', async () => {
    const T4 = T0 + 400 * 86_400_000; // after every other row
    const attributes = {
      card_bin: '012345',
      email_domain: 'exämple.fi \u{1f600}',
      mcc: 5411,
      ratio: 0.1 + 0.2,
      tiny: -1e-300,
      three_ds: 'N',
    };
    const rows = [
      { ...record(501, 0.8, 'review', { account_id: 'attrs', attributes }), decided_at: T4 },
      { ...record(502, 0.1, 'approve', { account_id: 'attrs' }), decided_at: T4 + 1 },
    ];
    await store.saveDecisions(rows);
    assert.deepEqual((await store.getTransaction('t0501'))?.transaction.attributes, attributes);
    assert.equal((await store.getTransaction('t0502'))?.transaction.attributes, undefined);
    const byAccount = await store.accountTransactions('attrs', 10);
    assert.deepEqual(
      byAccount.map((s) => [s.transaction.transaction_id, s.transaction.attributes]),
      [
        ['t0502', undefined],
        ['t0501', attributes],
      ],
    );
    const recent = await store.recentDecisions(2);
    assert.deepEqual(recent[1]!.transaction.attributes, attributes, 'what a dry run reads');
    const replayed = await store.decidedBetween(T4, T4 + 10, null, 10);
    assert.deepEqual(replayed[0]!.transaction.attributes, attributes, 'what a rebuild reads');
    const flaggedRows = await all(store, { account_id: 'attrs' });
    assert.deepEqual(
      flaggedRows.map((s) => s.transaction.attributes),
      [attributes],
    );
    // Later tests count the newest rows and what lies before cutoffs: these leave again.
    assert.equal(await store.deleteTransactions(['t0501', 't0502']), 2);
  });

  it('the features a decision saw come back exactly, newest decision first; rows without them say so', async () => {
    const T1 = T0 + 100 * 86_400_000; // later than every other row, so these are the most recent decisions
    const features = (seed: number) => Float64Array.from({ length: FEATURE_COUNT }, (_, i) => seed + i / 3);
    const rows = [
      { ...record(101, 0.2, 'approve'), decided_at: T1, features: features(1) },
      { ...record(102, 0.7, 'review'), decided_at: T1 + 1000, features: features(2) },
      { ...record(103, 0.96, 'decline'), decided_at: T1 + 2000 },
    ];
    await store.saveDecisions(rows);
    await store.setStatus('t0102', 'confirmed_fraud', 'alice', null, T1 + 5000);
    const recent = await store.recentDecisions(3);
    assert.deepEqual(
      recent.map((r) => [r.transaction.transaction_id, r.status]),
      [
        ['t0103', 'decided'],
        ['t0102', 'confirmed_fraud'],
        ['t0101', 'none'],
      ],
    );
    assert.equal(recent[0]!.features, null, 'stored without features');
    assert.deepEqual(Array.from(recent[1]!.features!), Array.from(features(2)));
    assert.equal(recent[2]!.decision.outcome, 'approve');
    assert.deepEqual(
      (await store.recentDecisions(2, { decided_at: T1 + 2000, transaction_id: 't0103' })).map(
        (r) => r.transaction.transaction_id,
      ),
      ['t0102', 't0101'],
      'the page after a row (the dry run reads in pages)',
    );
  });

  it('decision stats: outcomes per bucket, statuses and the score histogram of a time range', async () => {
    const T2 = T0 + 200 * 86_400_000;
    const at = (minute: number, i: number, score: number, outcome: Outcome): NewDecision => ({
      ...record(300 + i, score, outcome),
      decided_at: T2 + minute * 60_000,
    });
    await store.saveDecisions([
      at(0, 0, 0.01, 'approve'),
      at(1, 1, 0.04, 'approve'),
      at(2, 2, 0.62, 'review'),
      at(6, 3, 0.99, 'decline'),
      at(7, 4, 1, 'decline'),
      at(12, 5, 0.5, 'review'), // outside [T2, T2 + 10 min)
    ]);
    await store.setStatus('t0303', 'confirmed_fraud', 'alice', null, T2);
    const stats = await store.decisionStats(T2, T2 + 10 * 60_000, 5 * 60_000);
    assert.deepEqual(stats.buckets, [
      { start: T2, counts: [2, 1, 0, 0] },
      { start: T2 + 5 * 60_000, counts: [0, 0, 0, 2] },
    ]);
    assert.deepEqual(stats.outcomes, [2, 1, 0, 2]);
    assert.deepEqual(stats.statuses, [2, 1, 1, 0, 1, 0]); // CASE_STATUSES order
    const bins = new Array(20).fill(0);
    bins[0] = 2; // 0.01, 0.04
    bins[12] = 1; // 0.62
    bins[19] = 2; // 0.99 and exactly 1 (the last bin is closed)
    assert.deepEqual(stats.scores, bins);
    const empty = await store.decisionStats(T2 - 60_000, T2, 60_000);
    assert.deepEqual(empty.outcomes, [0, 0, 0, 0]);
    assert.deepEqual(empty.buckets, []);
  });

  it('decisions of a time range come back in decision order, page by page; verdicts with their merchant and time', async () => {
    const T3 = T0 + 300 * 86_400_000; // after every other row
    const at = (i: number, decidedAt: number): NewDecision => ({
      ...record(400 + i, 0.7, 'review'),
      decided_at: decidedAt,
    });
    // Three share one decision time, so the keyset has to go on by id within it.
    await store.saveDecisions([
      at(4, T3 + 1000),
      at(1, T3),
      at(3, T3),
      at(2, T3),
      at(5, T3 + 2000),
      at(6, T3 + 9000), // at `until`: outside
      { ...record(407, 0.7, 'review', { merchant_id: undefined }), decided_at: T3 - 1 }, // before `from`
    ]);
    const pages: string[][] = [];
    let after: { decided_at: number; transaction_id: string } | null = null;
    for (;;) {
      const page = await store.decidedBetween(T3, T3 + 9000, after, 2);
      if (page.length === 0) break;
      pages.push(page.map((s) => s.transaction.transaction_id));
      const last = page[page.length - 1]!;
      after = { decided_at: last.decided_at, transaction_id: last.transaction.transaction_id };
    }
    assert.deepEqual(pages, [['t0401', 't0402'], ['t0403', 't0404'], ['t0405']]);
    const first = (await store.decidedBetween(T3, T3 + 9000, null, 1))[0]!;
    assert.equal(first.transaction.amount, 411);
    assert.equal(first.decided_at, T3);

    await store.setStatus('t0402', 'confirmed_fraud', 'alice', null, T3 + 5000);
    await store.setStatus('t0403', 'legitimate', 'alice', null, T3 + 6000);
    await store.setStatus('t0404', 'under_review', 'alice', null, T3 + 7000); // no verdict yet
    await store.setStatus('t0407', 'confirmed_fraud', 'alice', null, T3 + 8000); // no merchant to feed
    await store.setStatus('t0402', 'legitimate', 'bob', null, T3 + 8500); // a second verdict counts too
    const verdicts: StoredVerdict[] = [];
    let afterId: number | null = null;
    for (;;) {
      const page = await store.listVerdicts(afterId, 1);
      if (page.length === 0) break;
      verdicts.push(...page);
      afterId = page[page.length - 1]!.audit_id;
    }
    const ours = verdicts.filter((v) => v.transaction_id.startsWith('t04'));
    assert.deepEqual(
      ours.map(({ audit_id: _, ...v }) => v),
      [
        { transaction_id: 't0402', merchant_id: 'm0', account_id: 'a2', fraud: true, at: T3 + 5000 },
        { transaction_id: 't0403', merchant_id: 'm1', account_id: 'a3', fraud: false, at: T3 + 6000 },
        { transaction_id: 't0402', merchant_id: 'm0', account_id: 'a2', fraud: false, at: T3 + 8500 },
      ],
    );
    assert.ok(ours[0]!.audit_id < ours[1]!.audit_id && ours[1]!.audit_id < ours[2]!.audit_id);
  });

  it('retention counts the rows before a cutoff and the cases among them, and can leave the cases out', async () => {
    const old = T0 - 1000 * 86_400_000; // before every other row
    const at = (i: number, outcome: Outcome): NewDecision => ({
      ...record(500 + i, outcome === 'approve' ? 0.1 : 0.8, outcome),
      decided_at: old + i,
    });
    await store.saveDecisions([
      at(1, 'approve'),
      at(2, 'review'), // an open case
      at(3, 'decline'), // confirmed fraud below
      at(4, 'review'), // closed as legitimate below
      at(5, 'block_and_review'), // under review
    ]);
    await store.setStatus('t0503', 'confirmed_fraud', 'alice', null, old + 10);
    await store.setStatus('t0504', 'legitimate', 'alice', null, old + 10);
    await store.setStatus('t0505', 'under_review', 'alice', null, old + 10);
    assert.deepEqual(await store.countDecidedBefore(old + 100), { rows: 5, cases: 3 });
    const ids = (rows: StoredTransaction[]) => rows.map((r) => r.transaction.transaction_id);
    assert.deepEqual(ids(await store.oldestDecidedBefore(old + 100, 10, true)), ['t0501', 't0504']);
    assert.deepEqual(ids(await store.oldestDecidedBefore(old + 100, 10)), [
      't0501',
      't0502',
      't0503',
      't0504',
      't0505',
    ]);
    assert.equal(await store.deleteTransactions(['t0501', 't0502', 't0503', 't0504', 't0505']), 5);
    assert.deepEqual(await store.countDecidedBefore(old + 100), { rows: 0, cases: 0 });
  });
  it('imported labels: recorded with one audit entry each, unchanged when repeated, conflicts and unknown ids refused', async () => {
    const T4 = T0 + 400 * 86_400_000;
    await store.saveDecisions([
      record(601, 0.7, 'review'),
      record(602, 0.7, 'review'),
      record(603, 0.1, 'approve', { merchant_id: undefined }),
      record(604, 0.7, 'review'),
    ]);
    await store.setStatus('t0604', 'legitimate', 'alice', null, T4 - 10);
    const label = (id: string, fraud: boolean, source = 'chargebacks.csv') => ({
      transaction_id: id,
      fraud,
      source,
      known_at: T4 - 1000,
    });
    const auditBefore = await store.listAudit({ action: 'label_recorded', limit: 1000 });
    const results = await store.recordLabels(
      [
        label('t0601', true),
        label('nope', true),
        label('t0602', false),
        label('t0601', true), // the same again within the batch
        label('t0602', true), // another label within the batch
        label('t0603', true),
        label('t0604', true), // analysts said legitimate
      ],
      'cli:ops',
      T4,
    );
    assert.deepEqual(
      results.map((r) => r.result),
      ['recorded', 'unknown_transaction', 'recorded', 'unchanged', 'conflict', 'recorded', 'recorded'],
    );
    assert.deepEqual(results[0], { result: 'recorded', contradicts_verdict: null });
    assert.deepEqual(results[6], { result: 'recorded', contradicts_verdict: 'legitimate' });
    const conflict = results[4] as { result: 'conflict'; stored: StoredLabel };
    assert.equal(conflict.stored.transaction_id, 't0602');
    assert.equal(conflict.stored.fraud, false);
    assert.equal(conflict.stored.source, 'chargebacks.csv');

    const entries = (await store.listAudit({ action: 'label_recorded', order: 'asc', limit: 1000 })).slice(
      auditBefore.length,
    );
    assert.deepEqual(
      entries.map((e) => [e.transaction_id, e.new_value, e.actor, e.at]),
      [
        ['t0601', 'fraud', 'cli:ops', T4],
        ['t0602', 'legit', 'cli:ops', T4],
        ['t0603', 'fraud', 'cli:ops', T4],
        ['t0604', 'fraud', 'cli:ops', T4],
      ],
    );
    assert.match(entries[0]!.note!, /chargebacks\.csv/);
    assert.match(entries[0]!.note!, new RegExp(new Date(T4 - 1000).toISOString()));
    assert.match(entries[3]!.note!, /contradicts the verdict legitimate/);
    for (let i = 1; i < entries.length; i++) {
      assert.equal(entries[i]!.id, entries[i - 1]!.id + 1, 'consecutive');
      assert.equal(entries[i]!.prev_hash, entries[i - 1]!.hash, 'chained');
    }

    // Sent again: nothing written, nothing audited; a different label is a conflict naming the stored one.
    const again = await store.recordLabels(
      [label('t0601', true, 'other'), label('t0603', false)],
      'bob',
      T4 + 1,
    );
    assert.deepEqual(
      again.map((r) => r.result),
      ['unchanged', 'conflict'],
    );
    assert.equal((again[1] as { stored: StoredLabel }).stored.fraud, true);
    assert.equal(
      (await store.listAudit({ action: 'label_recorded', limit: 1000 })).length,
      auditBefore.length + 4,
    );

    const stored = await store.getLabel('t0601');
    assert.deepEqual(stored && { ...stored, seq: 0 }, {
      seq: 0,
      transaction_id: 't0601',
      fraud: true,
      source: 'chargebacks.csv',
      known_at: T4 - 1000,
      recorded_at: T4,
      recorded_by: 'cli:ops',
      merchant_id: 'm1',
      account_id: 'a1',
    });
    assert.equal(await store.getLabel('t0605'), null);

    // Paged in the order they were recorded, with their merchant (null without one) and account.
    const pages: StoredLabel[][] = [];
    let after: number | null = null;
    for (;;) {
      const page = await store.listLabels(after, 3);
      if (page.length === 0) break;
      pages.push(page);
      after = page[page.length - 1]!.seq;
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 1],
    );
    const all = pages.flat();
    assert.deepEqual(
      all.map((l) => [l.transaction_id, l.fraud, l.merchant_id, l.account_id]),
      [
        ['t0601', true, 'm1', 'a1'],
        ['t0602', false, 'm2', 'a2'],
        ['t0603', true, null, 'a3'],
        ['t0604', true, 'm1', 'a4'],
      ],
    );
    assert.ok(all.every((l, i) => i === 0 || l.seq > all[i - 1]!.seq));
    assert.deepEqual(await store.listLabels(all[3]!.seq, 10), []);
  });

  it('imported labels: a batch that fails part way stores none of its labels and none of their audit entries', async () => {
    const T5 = T0 + 401 * 86_400_000;
    await store.saveDecisions([record(611, 0.7, 'review'), record(612, 0.7, 'review')]);
    const sql = raw();
    // The database refuses the second label's audit entry: the first label must go too.
    if (store.kind === 'embedded')
      await sql(`CREATE TRIGGER refuse_label BEFORE INSERT ON audit
        WHEN NEW.transaction_id = 't0612' AND NEW.action = 'label_recorded'
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`);
    else
      await sql(`CREATE FUNCTION refuse_label() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.transaction_id = 't0612' AND NEW.action = 'label_recorded' THEN
            RAISE EXCEPTION 'refused by the test';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_label BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse_label();`);
    const label = (id: string) => ({ transaction_id: id, fraud: true, source: 'x', known_at: T5 });
    await assert.rejects(store.recordLabels([label('t0611'), label('t0612')], 'bob', T5), /refused/);
    assert.equal(await store.getLabel('t0611'), null);
    assert.deepEqual(await store.listAudit({ transaction_id: 't0611', action: 'label_recorded' }), []);
    await sql('DROP TRIGGER refuse_label' + (store.kind === 'embedded' ? '' : ' ON audit'));
    assert.deepEqual(
      (await store.recordLabels([label('t0611'), label('t0612')], 'bob', T5)).map((r) => r.result),
      ['recorded', 'recorded'],
    );
  });

  it('model columns: which set decided and the shadow score are stored and paged as compact rows; the decision keeps them', async () => {
    const T5 = T0 + 600 * 86_400_000; // after every other row
    const scored = (i: number, decidedAt: number, decision: Partial<Decision>): NewDecision => {
      const r = record(700 + i, 0.7, 'review');
      return { ...r, decided_at: decidedAt, decision: { ...r.decision, ...decision } };
    };
    await store.saveDecisions([
      scored(1, T5, {
        score: 0.7,
        model_version: 'gbdt-a+iforest-a',
        decided_by: 'champion',
        shadow: { score: 0.25, model_version: 'gbdt-b+iforest-b' },
      }),
      scored(2, T5, {
        score: 0.7,
        model_version: 'gbdt-b+iforest-b',
        decided_by: 'challenger',
        shadow: { score: 0.1 + 2 ** -40, model_version: 'gbdt-a+iforest-a' },
      }),
      scored(3, T5 + 10, { model_version: null, decided_by: 'champion', shadow: null }),
      scored(4, T5 + 20, { model_version: 'heuristic-1' }), // stored before issue 13: no decided_by, no shadow
      scored(5, T5 + 30, {}), // at `until`: outside
    ]);
    const rows = [];
    let after: { decided_at: number; transaction_id: string } | null = null;
    for (;;) {
      const page = await store.modelScoresBetween(T5, T5 + 30, after, 2);
      if (page.length === 0) break;
      rows.push(...page);
      const last = page[page.length - 1]!;
      after = { decided_at: last.decided_at, transaction_id: last.transaction_id };
    }
    assert.deepEqual(rows, [
      {
        transaction_id: 't0701',
        decided_at: T5,
        score: 0.7,
        model_version: 'gbdt-a+iforest-a',
        decided_by: 'champion',
        shadow_score: 0.25,
        shadow_version: 'gbdt-b+iforest-b',
      },
      {
        transaction_id: 't0702',
        decided_at: T5,
        score: 0.7,
        model_version: 'gbdt-b+iforest-b',
        decided_by: 'challenger',
        shadow_score: 0.1 + 2 ** -40,
        shadow_version: 'gbdt-a+iforest-a',
      },
      {
        transaction_id: 't0703',
        decided_at: T5 + 10,
        score: 0.7,
        model_version: null,
        decided_by: 'champion',
        shadow_score: null,
        shadow_version: null,
      },
      {
        transaction_id: 't0704',
        decided_at: T5 + 20,
        score: 0.7,
        model_version: 'heuristic-1',
        decided_by: 'champion',
        shadow_score: null,
        shadow_version: null,
      },
    ]);
    const stored = await store.getTransaction('t0702');
    assert.equal(stored?.decision.decided_by, 'challenger');
    assert.deepEqual(stored?.decision.shadow, { score: 0.1 + 2 ** -40, model_version: 'gbdt-a+iforest-a' });
  });

  it('model versions: added and moved between stages with their audit entries in one transaction; a stale move changes nothing', async () => {
    const version = (id: string, stage: 'champion' | 'challenger' | 'archived', artifact: string | null) => ({
      id,
      kind: id.split('-')[0]!,
      stage,
      created_at: T0 + Number(id.slice(-1)),
      stage_changed_at: T0,
      stage_changed_by: 'system',
      champion_seq: stage === 'champion' ? 1 : null,
      summary: JSON.stringify({ metrics: { validation_auc: 0.9 } }),
      artifact,
    });
    const entry = (action: string, id: string) => ({
      at: T0,
      actor: 'model-admin',
      action,
      transaction_id: null,
      old_value: null,
      new_value: id,
      note: null,
    });
    assert.equal(
      await store.updateModelVersions({
        added: [version('gbdt-1', 'champion', '{"kind":"gbdt"}'), version('gbdt-2', 'challenger', null)],
        at: T0,
        actor: 'system',
        audit: [entry('model_registered', 'gbdt-1'), entry('model_registered', 'gbdt-2')],
      }),
      true,
    );
    const listed = await store.listModelVersions();
    assert.deepEqual(
      listed.map((v) => [v.id, v.stage, v.has_artifact, v.champion_seq]),
      [
        ['gbdt-1', 'champion', true, 1],
        ['gbdt-2', 'challenger', false, null],
      ],
    );
    assert.equal(listed[0]!.summary, JSON.stringify({ metrics: { validation_auc: 0.9 } }));
    assert.equal(await store.modelArtifact('gbdt-1'), '{"kind":"gbdt"}');
    assert.equal(await store.modelArtifact('gbdt-2'), null, 'kept as a file');
    assert.equal(await store.modelArtifact('gbdt-9'), null);
    // A known id refuses the whole update: nothing of it is written, its audit entries neither.
    assert.equal(
      await store.updateModelVersions({
        added: [version('gbdt-3', 'archived', null), version('gbdt-1', 'archived', null)],
        at: T0,
        actor: 'system',
        audit: [entry('model_registered', 'gbdt-3')],
      }),
      false,
    );
    assert.equal((await store.listModelVersions()).length, 2);
    // Promotion: the champion archived, the challenger champion with the next tenure number, audited.
    const promote = {
      moves: [
        { id: 'gbdt-1', from: 'champion' as const, to: 'archived' as const },
        { id: 'gbdt-2', from: 'challenger' as const, to: 'champion' as const, new_tenure: true },
      ],
      at: T0 + 5000,
      actor: 'model-admin',
      audit: [entry('model_promote', 'gbdt-2')],
    };
    assert.equal(await store.updateModelVersions(promote), true);
    const after = await store.listModelVersions();
    assert.deepEqual(
      after.map((v) => [v.id, v.stage, v.champion_seq, v.stage_changed_at, v.stage_changed_by]),
      [
        ['gbdt-1', 'archived', 1, T0 + 5000, 'model-admin'],
        ['gbdt-2', 'champion', 2, T0 + 5000, 'model-admin'],
      ],
    );
    // The same promotion again (another process acting on what it read before): refused, nothing audited.
    assert.equal(await store.updateModelVersions(promote), false);
    assert.equal((await store.listModelVersions())[1]!.champion_seq, 2);
    assert.equal((await store.listAudit({ actor: 'model-admin', action: 'model_promote' })).length, 1);
    // One champion per kind, whatever a caller asks.
    await assert.rejects(
      store.updateModelVersions({
        moves: [{ id: 'gbdt-1', from: 'archived', to: 'champion' }],
        at: T0,
        actor: 'model-admin',
        audit: [],
      }),
    );
    assert.equal((await store.listModelVersions())[0]!.stage, 'archived');
    assert.deepEqual(
      (await store.listAudit({ actor: 'model-admin', action: 'model_registered' })).map((a) => a.new_value),
      ['gbdt-1', 'gbdt-2'],
      'the refused registration of gbdt-3 left no entry',
    );
  });

  it('training runs: one claim at a time across connections, an abandoned run expires, figures kept, newest first', async () => {
    const at = T0 + 900 * 86_400_000;
    const run = (id: string, started_at: number): NewTrainingRun => ({
      id,
      trigger: 'manual',
      actor: 'alice',
      window_ms: 30 * 86_400_000,
      cutoff: started_at,
      started_at,
    });
    const audit = (id: string) => ({
      at,
      actor: 'alice',
      action: 'model_train',
      transaction_id: null,
      old_value: null,
      new_value: id,
      note: 'manual',
    });
    // two claims at once: exactly one starts
    const claims = await Promise.all([
      store.claimTrainingRun(run('run-a', at), at - 3_600_000, audit('run-a')),
      store.claimTrainingRun(run('run-b', at), at - 3_600_000, audit('run-b')),
    ]);
    assert.deepEqual(claims.map((c) => c.claimed).sort(), [false, true]);
    const winner = claims[0]!.claimed ? 'run-a' : 'run-b';
    const refused = claims.find((c) => !c.claimed)!;
    assert.equal(!refused.claimed && refused.running.id, winner, 'the refusal names the run going on');
    const trail = await store.listAudit({ action: 'model_train' });
    assert.deepEqual(
      trail.map((e) => e.new_value),
      [winner],
      'only the claim that started is audited',
    );
    const result = {
      decisions: 1200,
      labels: { fraud: 30, legit: 70, assumed_legit: 900 },
      produced: ['iforest-x', 'gbdt-x'],
      message: null,
    };
    assert.equal(await store.finishTrainingRun(winner, 'done', result, at + 5000), true);
    assert.equal(await store.finishTrainingRun(winner, 'failed', result, at + 6000), false, 'ended once');
    // free again: the next claim starts; a claim while it runs is refused, until it is an hour old
    assert.equal((await store.claimTrainingRun(run('run-c', at + 10_000), at)).claimed, true);
    assert.equal((await store.claimTrainingRun(run('run-d', at + 20_000), at)).claimed, false);
    const later = at + 10_000 + 3_600_001;
    assert.equal((await store.claimTrainingRun(run('run-e', later), later - 3_600_000)).claimed, true);
    assert.equal(
      await store.finishTrainingRun('run-c', 'done', result, later),
      false,
      'abandoned: not ended',
    );
    assert.equal(
      await store.finishTrainingRun('run-e', 'skipped', { ...result, message: 'few' }, later + 1),
      true,
    );

    const runs = await store.listTrainingRuns(10);
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [
        ['run-e', 'skipped'],
        ['run-c', 'failed'],
        [winner, 'done'],
      ],
    );
    assert.equal(runs[1]!.result.message, ABANDONED_MESSAGE);
    assert.equal(runs[1]!.finished_at, later);
    assert.deepEqual(runs[2], {
      id: winner,
      trigger: 'manual',
      status: 'done',
      started_at: at,
      finished_at: at + 5000,
      actor: 'alice',
      window_ms: 30 * 86_400_000,
      cutoff: at,
      result,
    });
    assert.deepEqual(
      (await store.listTrainingRuns(10, 'done')).map((r) => r.id),
      [winner],
    );
    assert.equal((await store.listTrainingRuns(1)).length, 1);
  });

  it('report queries: blocked amounts, rule hits, model versions, pattern counts and cases per day of a range', async () => {
    const T4 = T0 + 400 * 86_400_000; // after every other row, a UTC midnight
    const at = (
      i: number,
      minute: number,
      outcome: Outcome,
      extra: Partial<Transaction>,
      rules: string[] = [],
      model: string | null = null,
    ): NewDecision => {
      const r = record(2040 + i, outcome === 'approve' ? 0.1 : 0.8, outcome, extra);
      return {
        ...r,
        decision: {
          ...r.decision,
          model_version: model,
          reasons: rules.map((rule) => ({ kind: 'rule' as const, rule, reason: 'x', score: 0.5 })),
        },
        decided_at: T4 + minute * 60_000,
      };
    };
    await store.saveDecisions([
      at(
        1,
        0,
        'approve',
        { amount: 5, country: 'DE', channel: 'web', timestamp: T4 + 3_600_000 },
        [],
        'f1+g1',
      ),
      at(
        2,
        1,
        'decline',
        { amount: 250, country: 'DE', currency: 'USD', timestamp: T4 },
        ['a@1', 'b@1'],
        'f1+g1',
      ),
      at(3, 2, 'block_and_review', { amount: 20, country: 'FR', device_id: 'd1' }, ['a@1'], 'f1+g1'),
      at(4, 3, 'review', { amount: 7000, merchant_category: 'crypto' }, ['a@1']),
      at(5, 24 * 60 + 1, 'review', { amount: 1 }, ['b@1']), // the next day
      at(6, 3 * 24 * 60, 'decline', { amount: 1 }, ['a@1']), // at `to`: outside
    ]);
    const to = T4 + 3 * 86_400_000;
    const breakdown = await store.decisionBreakdown(T4, to);
    assert.deepEqual(breakdown.blocked, [
      { currency: 'EUR', decisions: 1, amount: 20 },
      { currency: 'USD', decisions: 1, amount: 250 },
    ]);
    assert.deepEqual(breakdown.rules, [
      { rule: 'a@1', hits: 3 },
      { rule: 'b@1', hits: 2 },
    ]);
    assert.deepEqual(breakdown.models, [
      { model_version: 'f1+g1', decisions: 3 },
      { model_version: null, decisions: 2 },
    ]);

    const counts = await store.patternCounts(T4, to);
    const of = (dimension: string) =>
      counts
        .filter((c) => c.dimension === dimension)
        .map(({ value, decisions, flagged }) => [value, decisions, flagged])
        .sort((a, b) => ((a[0] ?? '\uffff') < (b[0] ?? '\uffff') ? -1 : 1)); // code units, none last
    assert.deepEqual(of('country'), [
      ['DE', 2, 1],
      ['FR', 1, 1],
      [null, 2, 2],
    ]);
    assert.deepEqual(of('channel'), [
      ['web', 1, 0],
      [null, 4, 4],
    ]);
    assert.deepEqual(of('merchant_category'), [
      ['crypto', 1, 1],
      [null, 4, 3],
    ]);
    assert.deepEqual(of('device'), [
      ['d1', 1, 1],
      [null, 4, 3],
    ]);
    assert.deepEqual(of('amount_band'), [
      ['10-50', 1, 1],
      ['200-1000', 1, 1],
      ['<10', 2, 1],
      ['>=5000', 1, 1],
    ]);
    // record() puts transaction i at T0 + i minutes; T0 and T4 are midnights, so 2043-2045 fall in hour 10.
    assert.deepEqual(of('hour'), [
      ['00', 1, 1],
      ['01', 1, 0],
      ['10', 3, 3],
    ]);
    assert.deepEqual(
      of('merchant').map((row) => row[0]),
      ['m0', 'm1', 'm2'],
    );
    assert.deepEqual(await store.patternCounts(T4 - 1000, T4), []);

    assert.deepEqual(await store.casesByDay(T4, to), [
      { day: T4, cases: 2 },
      { day: T4 + 86_400_000, cases: 1 },
    ]);
    const found = await store.transactionsDecidedIn(['t2041', 't2045', 't2046', 'nope'], T4, to);
    assert.deepEqual(found.map((s) => s.transaction.transaction_id).sort(), ['t2041', 't2045']);
    assert.deepEqual(await store.transactionsDecidedIn([], T4, to), []);
  });

  webhookSuite(it, () => store);
  snoozeSuite(it, () => store);
  queueStoreSuite(it, () => store);
  caseSuite(it, () => store);
}
