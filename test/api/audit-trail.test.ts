/**
 * The audit trail over the API (PCI DSS 10): a change is made only once its entry is written; newest first with a
 * cursor and filters; failed sign-ins (rate-limited) and people's reads of transactions are audited.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { DecisionStore } from '../../src/store/types.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-audit-api-')), 'a.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store);
const app = buildApp({ service });
const keys: Record<string, string> = {};
for (const role of ['service', 'analyst', 'admin', 'auditor'] as const)
  keys[role] = (await createApiKey(store, role, `${role}-key`)).key;
const as = (role: string) => ({ 'x-api-key': keys[role]! });
after(async () => {
  await app.close();
  await store.close();
});

const tx = (id: string, account = 'acct-a') => ({
  transaction_id: id,
  timestamp: '2026-03-01T10:00:00Z',
  account_id: account,
  amount: 20,
  currency: 'EUR',
});

/** Makes the store's audit writes fail while `work` runs. */
async function withAuditDown(target: DecisionStore, work: () => Promise<void>): Promise<void> {
  const audit = target.audit.bind(target);
  const save = target.saveRuleVersion.bind(target);
  const publish = target.publishRuleVersion.bind(target);
  const saveSettings = target.saveSettingsVersion.bind(target);
  // The entry written in the same transaction as the change fails (NOT NULL), so the transaction is undone.
  const failing = <E extends object>(entry: E): E => ({ ...entry, actor: null as unknown as string });
  target.audit = async () => {
    throw new Error('audit trail unavailable');
  };
  target.saveRuleVersion = async (r, entry) => (entry === undefined ? save(r) : save(r, failing(entry)));
  target.publishRuleVersion = async (r, entry) =>
    entry === undefined ? publish(r) : publish(r, failing(entry));
  target.saveSettingsVersion = async (r, entry) =>
    entry === undefined ? saveSettings(r) : saveSettings(r, failing(entry));
  try {
    await work();
  } finally {
    target.audit = audit;
    target.saveRuleVersion = save;
    target.publishRuleVersion = publish;
    target.saveSettingsVersion = saveSettings;
  }
}

test('settings, rules and profile resets the trail cannot record are not made', async () => {
  await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: tx('o1'),
  });
  const settingsBefore = service.engine.decisionSettings;
  const rulesBefore = service.engine.rulesVersion;
  const document = { ...service.engine.ruleSet.document, version: 'never-audited' };
  await withAuditDown(store, async () => {
    const settings = await app.inject({
      method: 'PUT',
      url: '/api/v1/settings/decision',
      headers: as('admin'),
      payload: { bypass: true },
    });
    assert.equal(settings.statusCode, 500);
    const rules = await app.inject({
      method: 'PUT',
      url: '/api/v1/rules',
      headers: as('admin'),
      payload: document,
    });
    assert.equal(rules.statusCode, 500);
    const reset = await app.inject({
      method: 'PUT',
      url: '/api/v1/accounts/acct-a/profile',
      headers: as('analyst'),
      payload: { reset: true },
    });
    assert.equal(reset.statusCode, 500);
  });
  assert.deepEqual(service.engine.decisionSettings, settingsBefore, 'settings unchanged');
  assert.deepEqual(await store.listSettingsVersions(5), [], 'no settings version without its entry');
  assert.equal(service.engine.rulesVersion, rulesBefore, 'rules unchanged');
  assert.ok(
    !(await store.listRuleVersions(100)).some((v) => v.version === 'never-audited'),
    'the version was not stored without its entry',
  );
  assert.equal(service.engine.featureStore.accounts.total('acct-a'), 1, 'the account was not reset');
  const bad = await app.inject({
    method: 'PUT',
    url: '/api/v1/settings/decision',
    headers: as('admin'),
    payload: { thresholds: { review: 0.9, block_and_review: 0.5, decline: 0.95 } },
  });
  assert.equal(bad.statusCode, 400, 'a bad change is refused before anything is audited');
  assert.equal(bad.json().details[0].path, 'thresholds');
  assert.deepEqual(await store.listAudit({ action: 'settings_change' }), []);
});

test('GET /api/v1/audit: newest first, a cursor walks every entry once, filters by actor, action and time', async () => {
  for (let i = 0; i < 7; i++) {
    await store.audit({
      at: Date.UTC(2026, 0, 1 + i),
      actor: i % 2 ? 'odd' : 'even',
      action: 'walk_test',
      transaction_id: null,
      old_value: null,
      new_value: String(i),
      note: null,
    });
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/api/v1/audit?action=walk_test&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await app.inject({ url, headers: as('auditor') })).json();
    seen.push(...page.items.map((e: { new_value: string }) => e.new_value));
    cursor = page.next_cursor;
  } while (cursor !== null);
  assert.deepEqual(seen, ['6', '5', '4', '3', '2', '1', '0']);
  const filtered = await app.inject({
    url: '/api/v1/audit?actor=odd&from=2026-01-03T00:00:00Z&to=2026-01-06T00:00:00Z',
    headers: as('auditor'),
  });
  assert.deepEqual(
    filtered.json().items.map((e: { new_value: string }) => e.new_value),
    ['3'],
  );
  const newest = (await app.inject({ url: '/api/v1/audit?limit=1', headers: as('auditor') })).json();
  assert.equal(newest.items[0].new_value, '6', 'the newest of all, not the oldest');
  for (const [query, path] of [
    ['cursor=garbage', 'cursor'],
    ['from=yesterday', 'from'],
    ['limit=1001', 'limit'],
  ]) {
    const r = await app.inject({ url: `/api/v1/audit?${query}`, headers: as('auditor') });
    assert.equal(r.statusCode, 400, query);
    assert.equal(r.json().details[0].path, path);
  }
});

test('failed sign-ins are audited with reason and address, never the key, at most 5 per address a minute', async () => {
  const attempts = async (remoteAddress: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const key = `fw_${randomBytes(32).toString('base64url')}`;
      const r = await app.inject({ url: '/api/v1/me', headers: { 'x-api-key': key }, remoteAddress });
      assert.equal(r.statusCode, 401);
    }
  };
  await attempts('192.0.2.1', 20);
  await attempts('192.0.2.2', 2);
  await app.inject({ url: '/api/v1/me', remoteAddress: '192.0.2.3' }); // no credential at all: not a sign-in
  await new Promise((r) => setTimeout(r, 50)); // the entries are written after the answer
  const failed = await store.listAudit({ action: 'sign_in_failed', limit: 1000 });
  const from = (address: string) => failed.filter((e) => e.note?.includes(`from ${address} `)).length;
  assert.deepEqual([from('192.0.2.1'), from('192.0.2.2'), from('192.0.2.3')], [5, 2, 0]);
  assert.equal(failed[0]!.new_value, 'X-API-Key is not a valid key');
  assert.ok(
    failed.every((e) => !JSON.stringify(e).includes('fw_')),
    'no key in the trail',
  );
});

test("a person's read of a transaction is audited before it is answered; the service's lookups are not", async () => {
  await app.inject({
    method: 'POST',
    url: '/api/v1/transactions',
    headers: as('service'),
    payload: tx('read-1'),
  });
  for (const role of ['service', 'analyst', 'auditor'])
    assert.equal(
      (await app.inject({ url: '/api/v1/transactions/read-1', headers: as(role) })).statusCode,
      200,
    );
  const reads = await store.listAudit({ action: 'transaction_read', transaction_id: 'read-1' });
  assert.deepEqual(
    reads.map((e) => e.actor),
    ['analyst-key', 'auditor-key'],
  );
  await withAuditDown(store, async () => {
    const r = await app.inject({ url: '/api/v1/transactions/read-1', headers: as('analyst') });
    assert.equal(r.statusCode, 500);
    assert.doesNotMatch(r.body, /read-1/, 'an unaudited read sends no data');
  });
});

test('PostgreSQL: a note with NUL is a 400 naming it, the account is not reset and nothing is audited', async (t) => {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `fraudwatch_auditapi_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (e) {
    const why = `PostgreSQL at ${base} is unreachable: ${(e as Error).message}`;
    if (process.env.CI === 'true') assert.fail(`required in CI: ${why}`);
    console.warn(`\n*** SKIPPED: ${why} ***\n`);
    t.skip(why);
    return;
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pgStore = new PostgresStore(url.toString(), 2);
  const pgService = new DecisionService(new Engine(), pgStore);
  const pgApp = buildApp({ service: pgService });
  try {
    await pgStore.migrate();
    const analyst = (await createApiKey(pgStore, 'analyst', 'alice')).key;
    const submit = (await createApiKey(pgStore, 'service', 'checkout')).key;
    const made = await pgApp.inject({
      method: 'POST',
      url: '/api/v1/transactions',
      headers: { 'x-api-key': submit },
      payload: tx('nul-1', 'acct-nul'),
    });
    assert.equal(made.statusCode, 201, made.body);
    for (const [method, path, payload] of [
      ['PUT', '/api/v1/accounts/acct-nul/profile', { reset: true, note: 'a\u0000b' }],
      ['PUT', '/api/v1/anomalies/nul-1', { status: 'legitimate', note: 'a\u0000b' }],
    ] as const) {
      const r = await pgApp.inject({ method, url: path, headers: { 'x-api-key': analyst }, payload });
      assert.equal(r.statusCode, 400, `${path}: ${r.body}`);
      assert.equal(r.json().details[0].path, 'note');
    }
    assert.equal(pgService.engine.featureStore.accounts.total('acct-nul'), 1, 'not reset');
    assert.equal(
      (await pgStore.getTransaction('nul-1'))?.status,
      'none',
      'approved, and no verdict recorded',
    );
    assert.deepEqual(
      (await pgStore.listAudit({})).filter((e) => e.action !== 'transaction_read').map((e) => e.action),
      [],
    );
    const reset = await pgApp.inject({
      method: 'PUT',
      url: '/api/v1/accounts/acct-nul/profile',
      headers: { 'x-api-key': analyst },
      payload: { reset: true, note: 'card replaced' },
    });
    assert.equal(reset.statusCode, 200);
    assert.equal((await pgStore.listAudit({ action: 'profile_reset' }))[0]?.note, 'card replaced');
  } finally {
    await pgApp.close();
    await pgStore.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
});
