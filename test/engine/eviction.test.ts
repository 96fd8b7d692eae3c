import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { ACCOUNT_IDLE_MS } from '../../src/engine/features/account-arena.ts';
import { indexOfFeature } from '../../src/engine/features/catalog.ts';
import { DAY, HOUR, T0, tx } from './helpers.ts';

const LABELS_KNOWN = indexOfFeature('merchant_labels_known');
const TX_TOTAL = indexOfFeature('account_tx_total');
const MERCHANT_30D = indexOfFeature('merchant_count_30d');

/** Week `w`: 500 accounts of their own, 4 transactions each at 20 merchants of their own; then they go quiet. */
function scoreWeek(engine: Engine, w: number): void {
  for (let round = 0; round < 4; round++) {
    for (let k = 0; k < 500; k++) {
      engine.score(
        tx({
          timestamp: T0 + w * 7 * DAY + round * DAY + k * 60_000,
          account_id: `w${w}-a${k}`,
          merchant_id: `w${w}-m${k % 20}`,
        }),
      );
    }
  }
}

test('with a population that turns over, accounts and merchants in memory stay bounded by the active ones', async () => {
  const engine = new Engine();
  const sizes: { accounts: number; merchants: number; reserved: number }[] = [];
  for (let w = 0; w < 30; w++) {
    scoreWeek(engine, w);
    const s = engine.featureStore.stats();
    sizes.push({ accounts: s.accounts, merchants: s.merchants, reserved: s.account_reserved_bytes });
  }
  // 15,000 accounts and 600 merchants were seen; at most the last five weeks' (31 days) are active, plus what
  // the sweep has not reached yet.
  const last = sizes[sizes.length - 1]!;
  assert.ok(last.accounts <= 3500, `accounts in memory: ${last.accounts}`);
  assert.ok(last.accounts >= 2000, `the active accounts stay: ${last.accounts}`);
  assert.ok(last.merchants <= 140, `merchants in memory: ${last.merchants}`);
  // Freed blocks are used again: the arena stops growing once the turnover is steady.
  assert.ok(
    last.reserved <= sizes[9]!.reserved * 1.2,
    `reserved ${last.reserved} B after 30 weeks against ${sizes[9]!.reserved} B after 10`,
  );
  // Accounts of the last weeks are intact.
  engine.score(tx({ timestamp: T0 + 30 * 7 * DAY, account_id: 'w29-a7', merchant_id: 'w29-m7' }), {
    record: false,
  });
  assert.equal(engine.features[TX_TOTAL], 4);
  assert.equal(engine.features[MERCHANT_30D], 100);
});

test('an evicted account that comes back scores like a new one; an active one is never evicted', () => {
  const engine = new Engine();
  engine.score(tx({ timestamp: T0, account_id: 'sleeper', merchant_id: 'm1' }));
  for (let i = 0; i < 50; i++) engine.score(tx({ timestamp: T0 + i * DAY, account_id: 'busy' }));
  assert.equal(engine.featureStore.accounts.total('sleeper'), 0, 'idle for 49 days: evicted');
  assert.equal(engine.featureStore.accounts.total('busy'), 50);
  const fresh = new Engine();
  const back = tx({ timestamp: T0 + 50 * DAY, account_id: 'sleeper', merchant_id: 'm1' });
  engine.score(back, { record: false });
  fresh.score(back, { record: false });
  assert.deepEqual(Array.from(engine.features), Array.from(fresh.features));
});

test('an evicted merchant keeps its all-time label counts (the rest of its state is empty by then)', () => {
  const engine = new Engine({ labelDelayMs: 0 });
  engine.score(tx({ transaction_id: 'sold', timestamp: T0, account_id: 'a', merchant_id: 'shop' }));
  engine.feedback('sold', 'fraud', T0 + HOUR, 'shop');
  engine.score(tx({ timestamp: T0 + 2 * HOUR, account_id: 'a', merchant_id: 'other' }));
  for (let i = 1; i <= 40; i++)
    engine.score(tx({ timestamp: T0 + i * DAY, account_id: 'b', merchant_id: 'other' }));
  assert.equal(engine.featureStore.stats().merchants, 1, 'shop was evicted');
  engine.score(tx({ timestamp: T0 + 41 * DAY, account_id: 'c', merchant_id: 'shop' }), { record: false });
  assert.equal(engine.features[LABELS_KNOWN], 1);
  assert.equal(engine.features[MERCHANT_30D], 0);
});

test('with a clock, a transaction dated in the future does not make current accounts look idle', () => {
  const now = T0 + 10 * DAY;
  const engine = new Engine({ now: () => now });
  for (let k = 0; k < 20; k++) engine.score(tx({ timestamp: now - HOUR, account_id: `a${k}` }));
  const future = now + 3 * ACCOUNT_IDLE_MS;
  for (let k = 0; k < 40; k++) engine.score(tx({ timestamp: future, account_id: `far${k}` }));
  for (let k = 0; k < 20; k++) assert.equal(engine.featureStore.accounts.total(`a${k}`), 1, `a${k} kept`);
  // Without a clock transaction time alone decides (a replay of a file): the same traffic evicts them.
  const replay = new Engine();
  for (let k = 0; k < 20; k++) replay.score(tx({ timestamp: now - HOUR, account_id: `a${k}` }));
  for (let k = 0; k < 40; k++) replay.score(tx({ timestamp: future, account_id: `far${k}` }));
  assert.equal(replay.featureStore.accounts.total('a3'), 0);
});
