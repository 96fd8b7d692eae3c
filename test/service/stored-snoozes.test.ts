/**
 * Rule snoozes as the store keeps them, on both stores (issue 17): a snooze created through one process is
 * honoured by a second process on the same store after its follow, and ending it early is followed too.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { compileRules } from '../../src/engine/rules/index.ts';
import type { DecisionService } from '../../src/service/decision-service.ts';
import { openDecisionService } from '../../src/service/open-service.ts';

const FOLLOW_MS = 50;
const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fraudwatch_snz17_${process.pid}_${Date.now()}`;

/** A PostgreSQL URL on a schema of this run's own, or why there is none. */
async function postgresUrl(): Promise<string | { unavailable: string }> {
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
  } catch (e) {
    return { unavailable: `PostgreSQL at ${base} is unreachable: ${(e as Error).message}` };
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

const pgUrl = await postgresUrl();
after(async () => {
  if (typeof pgUrl !== 'string') return;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.end().catch(() => undefined);
  }
});

/** A process's service as `serve` and `worker` open it, following the store every FOLLOW_MS. */
async function openProcess(dataDir: string, databaseUrl: string | undefined): Promise<DecisionService> {
  const service = await openDecisionService({
    dataDir,
    models: false,
    databaseUrl,
    followIntervalMs: FOLLOW_MS,
    log: () => undefined,
  });
  await service.rebuild?.finishedPromise;
  return service;
}

async function closeProcess(service: DecisionService): Promise<void> {
  service.stored.stopFollowing();
  service.snoozes.stopFollowing();
  await service.store.close();
}

/** Waits (up to `withinMs`) until `check` holds; fails naming what did not happen. */
async function eventually(what: string, check: () => boolean, withinMs = 40 * FOLLOW_MS): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) assert.fail(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const stores: { name: string; databaseUrl: () => string | undefined; unavailable: string | null }[] = [
  { name: 'embedded (SQLite)', databaseUrl: () => undefined, unavailable: null },
  {
    name: 'PostgreSQL',
    databaseUrl: () => pgUrl as string,
    unavailable: typeof pgUrl === 'string' ? null : pgUrl.unavailable,
  },
];

const rules = compileRules({
  version: 'snz17-rules',
  rules: [
    {
      id: 'snz17_big',
      version: 1,
      when: { field: 'amount', op: '>=', value: 1000 },
      score: 0.6,
      reason: 'big',
    },
  ],
});
assert.ok(rules.ok);

let n = 0;
async function decide(service: DecisionService, account: string) {
  const r = await service.decide({
    transaction_id: `snz17-tx-${process.pid}-${++n}`,
    timestamp: Date.now(),
    account_id: account,
    amount: 2000,
    currency: 'EUR',
  });
  assert.equal(r.kind, 'created');
  return (r as { decision: { rule_score: number; snoozed_rules?: { snooze_id: string }[] } }).decision;
}

for (const { name, databaseUrl, unavailable } of stores) {
  test(`${name}: a snooze created through one process is honoured by another after its follow`, async (t) => {
    if (unavailable !== null) {
      if (process.env.CI === 'true') assert.fail(`${name} is required in CI: ${unavailable}`);
      console.warn(`\n*** ${name} SKIPPED: ${unavailable} ***\n`);
      t.skip(unavailable);
      return;
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-snoozes-'));
    const server = await openProcess(dataDir, databaseUrl());
    const worker = await openProcess(dataDir, databaseUrl());
    try {
      await server.stored.publishRules(rules.value, rules.value.document, 'alice');
      await eventually('the worker follows the rules', () => worker.engine.rulesVersion === 'snz17-rules');
      assert.equal((await decide(worker, 'snz17-acct')).rule_score, 0.6, 'not snoozed yet');

      const created = await server.snoozes.create(
        {
          rule_id: 'snz17_big',
          entity_type: 'account',
          entity_id: 'snz17-acct',
          until: Date.now() + 3_600_000,
          reason: 'known traveller',
        },
        'alice',
      );
      assert.equal(created.kind, 'created');
      const id = created.kind === 'created' ? created.snooze.id : '';
      await eventually('the worker follows the snooze', () => worker.engine.snoozeIndex !== null);
      const muted = await decide(worker, 'snz17-acct');
      assert.equal(muted.rule_score, 0);
      assert.equal(muted.snoozed_rules?.[0]?.snooze_id, id);
      assert.equal((await decide(worker, 'snz17-other')).rule_score, 0.6, 'another account is not muted');

      // A restarted process starts with the snoozes in force.
      const third = await openProcess(dataDir, databaseUrl());
      try {
        assert.equal((await decide(third, 'snz17-acct')).rule_score, 0);
      } finally {
        await closeProcess(third);
      }

      assert.equal((await server.snoozes.end(id, 'bob', null))?.result, 'ended');
      assert.equal(server.engine.snoozeIndex, null, 'ended here at once');
      await eventually('the worker follows the end', () => worker.engine.snoozeIndex === null);
      assert.equal((await decide(worker, 'snz17-acct')).rule_score, 0.6);
    } finally {
      await closeProcess(worker);
      await closeProcess(server);
    }
  });
}
