/**
 * Webhooks end to end in one process: a real receiver on localhost, the embedded store's outbox, the sender loop.
 * Signatures verify with the secret shown at creation only; failures are retried with backoff; a receiver that
 * was down gets everything; order per key holds across a failure; decisions never wait for a delivery.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { verifySignature } from '../../src/webhooks/signature.ts';
import { SecretSealer } from '../../src/webhooks/webhook-secrets.ts';
import { Webhooks } from '../../src/webhooks/webhooks.ts';
import { UNSEALABLE_SECRET } from '../../src/webhooks/webhook-sender.ts';
import { labelEvent } from '../../src/webhooks/decision-events.ts';
import { Receiver } from './receiver.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-webhooks-')), 'hooks.db'));
await store.migrate();
const engine = new Engine({ labelDelayMs: 0 });
const service = new DecisionService(engine, store, Date.now, 1000, new Metrics());
const sealer = SecretSealer.ephemeral();
// Short waits: a retry after 40-120 ms, a poll every 50 ms, attempts bounded at 1 s.
const webhooks = new Webhooks(service, sealer, {
  timeoutMs: 1000,
  backoffBaseMs: 80,
  maxAgeMs: 60_000,
  pollMs: 50,
  leaseMs: 5000,
});
webhooks.start();
const app = buildApp({ service, webhookSecrets: sealer });
const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'admin-hooks')).key };
const receivers: Receiver[] = [];
after(async () => {
  await webhooks.stop();
  await app.close();
  for (const r of receivers) await r.stop();
  await store.close();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

async function subscribe(url: string, extra: Record<string, unknown> = {}) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: admin,
    payload: { url, events: ['decision.flagged', 'decision.declined', 'label.recorded'], ...extra },
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.json<{ id: string; secret: string; key_id: string }>();
}

const unsubscribe = async (id: string) =>
  assert.equal(
    (await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin })).statusCode,
    200,
  );

let n = 0;
const flagged = () => ({
  transaction_id: `hook17-tx-${++n}`,
  timestamp: Date.now(),
  account_id: `hook17-acct-${n}`,
  amount: 5000,
  currency: 'EUR',
  merchant_id: 'hook17-shop',
});

test('a flagged decision arrives signed: the secret shown at creation verifies it, another does not', async () => {
  const r = await receiver();
  const hook = await subscribe(r.url);
  assert.match(hook.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  const decided = await service.decide(flagged());
  assert.equal(decided.kind, 'created');
  assert.equal(decided.kind === 'created' && decided.decision.outcome, 'review');
  const [got] = await r.waitFor(1);
  const h = got!.headers;
  assert.equal(h['x-fraudwatch-event'], 'decision.flagged');
  assert.equal(h['x-fraudwatch-key-id'], hook.key_id);
  assert.equal(h['content-type'], 'application/json');
  const timestamp = String(h['x-fraudwatch-timestamp']);
  assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 30);
  const signature = String(h['x-fraudwatch-signature']);
  assert.match(signature, /^v1=[0-9a-f]{64}$/);
  assert.equal(verifySignature(hook.secret, timestamp, got!.body, signature), true);
  assert.equal(verifySignature(`whsec_${'A'.repeat(43)}`, timestamp, got!.body, signature), false);
  assert.equal(verifySignature(hook.secret, String(Number(timestamp) + 1), got!.body, signature), false);
  const body = JSON.parse(got!.body);
  assert.deepEqual(Object.keys(body).sort(), ['at', 'data', 'id', 'type']);
  assert.equal(body.type, 'decision.flagged');
  assert.equal(body.data.transaction_id, `hook17-tx-${n}`);
  assert.equal(body.data.outcome, 'review');
  // The delivery id header names the logged delivery, delivered with the receiver's 200.
  const log = await app.inject({
    method: 'GET',
    url: `/api/v1/webhooks/${hook.id}/deliveries`,
    headers: admin,
  });
  const [delivery] = log.json().items;
  assert.equal(delivery.id, h['x-fraudwatch-delivery']);
  assert.equal(delivery.event_id, body.id);
  await waitUntil(async () => (await store.webhooks.getDelivery(delivery.id))?.status === 'delivered');
  const done = await store.webhooks.getDelivery(delivery.id);
  assert.deepEqual([done?.attempts, done?.last_status_code], [1, 200]);
  // A rotated secret signs the next delivery under a new key id; the old secret no longer verifies.
  const rotated = (
    await app.inject({ method: 'POST', url: `/api/v1/webhooks/${hook.id}/rotate-secret`, headers: admin })
  ).json<{ secret: string; key_id: string }>();
  assert.notEqual(rotated.key_id, hook.key_id);
  await service.decide(flagged());
  const second = (await r.waitFor(2))[1]!;
  assert.equal(second.headers['x-fraudwatch-key-id'], rotated.key_id);
  const ts2 = String(second.headers['x-fraudwatch-timestamp']);
  const sig2 = String(second.headers['x-fraudwatch-signature']);
  assert.equal(verifySignature(rotated.secret, ts2, second.body, sig2), true);
  assert.equal(verifySignature(hook.secret, ts2, second.body, sig2), false);
  await unsubscribe(hook.id);
});

test('a receiver answering 500 twice then 200 gets the event three times, with the same delivery id', async () => {
  const r = await receiver();
  r.answer = (i) => (i < 2 ? 500 : 200);
  const hook = await subscribe(r.url);
  service.events.publish(labelEvent('hook17-retry', true, 'test', Date.now()));
  const got = await r.waitFor(3);
  assert.equal(new Set(got.map((g) => g.headers['x-fraudwatch-delivery'])).size, 1);
  assert.equal(new Set(got.map((g) => g.body)).size, 1);
  // Backoff: the second retry waited longer than the base's lower bound after the first.
  assert.ok(got[1]!.at - got[0]!.at >= 30, `${got[1]!.at - got[0]!.at} ms`);
  const id = String(got[0]!.headers['x-fraudwatch-delivery']);
  await waitUntil(async () => (await store.webhooks.getDelivery(id))?.status === 'delivered');
  const d = await store.webhooks.getDelivery(id);
  assert.deepEqual([d?.attempts, d?.last_status_code], [3, 200]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(r.received.length, 3, 'nothing more after the 200');
  await unsubscribe(hook.id);
});

test('a secret sealed under another master key (a restore without the key): nothing goes out until it is rotated', async () => {
  const r = await receiver();
  const hook = await subscribe(r.url);
  // What a data dir restored without its webhook-secrets.key looks like to this process.
  const elsewhere = SecretSealer.ephemeral().seal(`whsec_${'B'.repeat(43)}`);
  await store.webhooks.update(hook.id, { secret_sealed: elsewhere }, Date.now(), {
    at: Date.now(),
    actor: 'test',
    action: 'webhook_updated',
    transaction_id: null,
    old_value: null,
    new_value: null,
    note: null,
  });
  service.events.publish(labelEvent('hook17-unsealable', true, 'test', Date.now()));
  await waitUntil(async () => {
    const [d] = await store.webhooks.deliveries({ subscription_id: hook.id, limit: 1 });
    return d !== undefined && d.attempts >= 1;
  });
  const [pending] = await store.webhooks.deliveries({ subscription_id: hook.id, limit: 1 });
  assert.equal(pending!.status, 'pending');
  assert.equal(pending!.last_error, UNSEALABLE_SECRET);
  assert.equal(r.received.length, 0, 'nothing unsigned or mis-signed was sent');
  const rotated = (
    await app.inject({ method: 'POST', url: `/api/v1/webhooks/${hook.id}/rotate-secret`, headers: admin })
  ).json<{ secret: string }>();
  const [got] = await r.waitFor(1);
  assert.equal(JSON.parse(got!.body).data.transaction_id, 'hook17-unsealable');
  const ts = String(got!.headers['x-fraudwatch-timestamp']);
  assert.equal(
    verifySignature(rotated.secret, ts, got!.body, String(got!.headers['x-fraudwatch-signature'])),
    true,
  );
  await unsubscribe(hook.id);
});

test('a receiver that is down (port closed) and comes back gets every event', async () => {
  const r = await receiver();
  const port = r.port;
  await r.stop();
  const hook = await subscribe(`http://127.0.0.1:${port}/hook`);
  for (let i = 0; i < 5; i++)
    service.events.publish(labelEvent(`hook17-down-${i}`, i % 2 === 0, 'test', Date.now()));
  await waitUntil(async () => {
    const items = await store.webhooks.deliveries({ subscription_id: hook.id, limit: 10 });
    return items.length === 5 && items.every((d) => d.attempts >= 1);
  });
  const failing = await store.webhooks.deliveries({ subscription_id: hook.id, limit: 10 });
  assert.ok(
    failing.every((d) => d.status === 'pending' && d.last_status_code === null && d.last_error !== null),
  );
  await r.start(port);
  const got = await r.waitFor(5);
  assert.deepEqual(
    got.map((g) => JSON.parse(g.body).data.transaction_id).sort(),
    [0, 1, 2, 3, 4].map((i) => `hook17-down-${i}`),
  );
  await unsubscribe(hook.id);
});

test('order per key: a later event of a key waits until the earlier one, which failed first, is delivered', async () => {
  const r = await receiver();
  // The first request (key A's first event) fails; everything after succeeds.
  r.answer = (i) => (i === 0 ? 503 : 200);
  const hook = await subscribe(r.url);
  const t = Date.now();
  service.events.publish(labelEvent('hook17-key-A', true, 'first', t));
  await webhooks.outbox.flush();
  await r.waitFor(1);
  service.events.publish(labelEvent('hook17-key-A', false, 'second', t + 1));
  service.events.publish(labelEvent('hook17-key-B', true, 'other', t + 2));
  const got = await r.waitFor(4);
  const seen = got.map((g) => {
    const e = JSON.parse(g.body);
    return `${e.data.transaction_id}:${e.data.source}`;
  });
  const ofA = seen.filter((s) => s.startsWith('hook17-key-A'));
  assert.deepEqual(ofA, ['hook17-key-A:first', 'hook17-key-A:first', 'hook17-key-A:second']);
  // Key B did not wait for key A's retry.
  assert.ok(seen.indexOf('hook17-key-B:other') < seen.lastIndexOf('hook17-key-A:first'), seen.join(' '));
  await unsubscribe(hook.id);
});

test("a decision's answer does not wait for a receiver that hangs for 10 s", async () => {
  const r = await receiver();
  r.answer = () => 'hang';
  const hook = await subscribe(r.url);
  await service.decide(flagged());
  await r.waitFor(1);
  // The receiver holds a delivery open; decisions go on at their usual speed.
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    const d = await service.decide(flagged());
    assert.equal(d.kind, 'created');
  }
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `20 decisions took ${ms.toFixed(0)} ms`);
  await unsubscribe(hook.id);
});

test('filters: outcomes and a minimum score choose the decisions a subscription gets', async () => {
  const r = await receiver();
  const hook = await subscribe(r.url, {
    events: ['decision.declined'],
    outcomes: ['decline'],
    min_score: 0.3,
  });
  const before = engine.decisionSettings;
  engine.setSettings({ ...before, thresholds: { review: 0.1, block_and_review: 0.2, decline: 0.3 } });
  try {
    await service.decide(flagged()); // score 0.4: declined
  } finally {
    engine.setSettings(before);
  }
  await service.decide(flagged()); // reviewed: not subscribed
  const [got] = await r.waitFor(1);
  assert.equal(JSON.parse(got!.body).type, 'decision.declined');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(r.received.length, 1);
  await unsubscribe(hook.id);
});

test('label.recorded: a verdict and an imported label are announced; a redelivery sends the body again', async () => {
  const r = await receiver();
  const hook = await subscribe(r.url, { events: ['label.recorded'] });
  const tx = flagged();
  await service.decide(tx);
  await service.review(tx.transaction_id, 'confirmed_fraud', 'analyst-hooks', null);
  const other = flagged();
  await service.decide(other);
  await service.recordLabels(
    [{ transaction_id: other.transaction_id, fraud: false, source: 'chargebacks', known_at: Date.now() }],
    'service-hooks',
  );
  const got = await r.waitFor(2);
  const events = got.map((g) => JSON.parse(g.body));
  assert.deepEqual(
    events.map((e) => [e.type, e.data.transaction_id, e.data.fraud, e.data.source]),
    [
      ['label.recorded', tx.transaction_id, true, 'verdict'],
      ['label.recorded', other.transaction_id, false, 'chargebacks'],
    ],
  );
  const first = String(got[0]!.headers['x-fraudwatch-delivery']);
  await waitUntil(async () => (await store.webhooks.getDelivery(first))?.status === 'delivered');
  const again = await app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/${hook.id}/deliveries/${first}/redeliver`,
    headers: admin,
  });
  assert.equal(again.statusCode, 202, again.body);
  const third = (await r.waitFor(3))[2]!;
  assert.equal(third.body, got[0]!.body);
  assert.equal(third.headers['x-fraudwatch-delivery'], again.json().id);
  assert.notEqual(again.json().id, first);
  await unsubscribe(hook.id);
});

test('metrics: deliveries by status, queue depth and the oldest pending age on /metrics', async () => {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(text, /fraudwatch_webhook_deliveries\{status="delivered"\} \d+/);
  assert.match(text, /fraudwatch_webhook_queue_depth \d+/);
  assert.match(text, /fraudwatch_webhook_oldest_pending_seconds [\d.e+-]+/);
});

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
