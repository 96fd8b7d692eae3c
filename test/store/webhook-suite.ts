/** The webhook part of the shared store suite (store-suite.ts runs it on both stores); ids start with `hook17-`. */
import assert from 'node:assert/strict';
import type { DecisionStore } from '../../src/store/types.ts';
import type { OutboxEvent, WebhookSubscription } from '../../src/store/webhook-types.ts';

const T = Date.UTC(2026, 5, 1);

function subscription(id: string, extra: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    id,
    url: `http://127.0.0.1:9/${id}`,
    events: ['decision.flagged', 'decision.declined', 'label.recorded'],
    outcomes: null,
    min_score: null,
    enabled: true,
    key_id: `${id}-k1`,
    secret_sealed: `sealed-${id}`,
    created_at: T,
    updated_at: T,
    created_by: 'admin-test',
    ...extra,
  };
}

function event(n: number, key: string, extra: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    event_id: `hook17-e${n}`,
    type: 'decision.flagged',
    key,
    at: T + n,
    body: JSON.stringify({ id: `hook17-e${n}`, n }),
    outcome: 'review',
    score: 0.7,
    ...extra,
  };
}

const audit = (action: string) => ({
  at: T,
  actor: 'admin-test',
  action,
  transaction_id: null,
  old_value: null,
  new_value: null,
  note: null,
});

export function webhookSuite(
  it: (title: string, body: () => Promise<void>) => void,
  store: () => DecisionStore,
) {
  it('webhooks: subscriptions created, changed and removed with their audit entries; filters pick the deliveries', async () => {
    const w = store().webhooks;
    await w.create(subscription('hook17-a'), audit('webhook_created'));
    await w.create(
      subscription('hook17-b', {
        outcomes: ['decline'],
        min_score: 0.9,
        events: ['decision.declined', 'decision.flagged'],
      }),
      audit('webhook_created'),
    );
    const listed = (await w.list()).filter((s) => s.id.startsWith('hook17-'));
    assert.deepEqual(
      listed.map((s) => [s.id, s.enabled, s.outcomes, s.min_score]),
      [
        ['hook17-a', true, null, null],
        ['hook17-b', true, ['decline'], 0.9],
      ],
    );
    const changed = await w.update(
      'hook17-b',
      { enabled: false, key_id: 'hook17-b-k2' },
      T + 5,
      audit('webhook_updated'),
    );
    assert.equal(changed?.enabled, false);
    assert.equal((await w.get('hook17-b'))?.key_id, 'hook17-b-k2');
    assert.equal((await w.get('hook17-b'))?.updated_at, T + 5);
    assert.equal(await w.update('hook17-none', { enabled: true }, T, audit('webhook_updated')), null);
    await w.update('hook17-b', { enabled: true }, T + 6, audit('webhook_updated'));

    // a: everything; b: only declines scoring 0.9 or more. A label carries no outcome: b does not subscribe to it.
    const queued = await w.enqueue(
      [
        event(1, 'hook17-tx1'),
        event(2, 'hook17-tx2', { type: 'decision.declined', outcome: 'decline', score: 0.95 }),
        event(3, 'hook17-tx3', { type: 'decision.declined', outcome: 'decline', score: 0.5 }),
        event(4, 'hook17-tx1', { type: 'label.recorded', outcome: null, score: null }),
      ],
      T + 10,
    );
    assert.equal(queued, 5);
    const ofB = await w.deliveries({ subscription_id: 'hook17-b', limit: 10 });
    assert.deepEqual(
      ofB.map((d) => d.event_id),
      ['hook17-e2'],
    );
    const ofA = await w.deliveries({ subscription_id: 'hook17-a', limit: 10 });
    assert.deepEqual(
      ofA.map((d) => [d.event_id, d.status, d.attempts]),
      [
        ['hook17-e4', 'pending', 0],
        ['hook17-e3', 'pending', 0],
        ['hook17-e2', 'pending', 0],
        ['hook17-e1', 'pending', 0],
      ],
    );
    assert.equal(ofA[3]!.body, JSON.stringify({ id: 'hook17-e1', n: 1 }));
    const page = await w.deliveries({ subscription_id: 'hook17-a', limit: 2, before_seq: ofA[1]!.seq });
    assert.deepEqual(
      page.map((d) => d.event_id),
      ['hook17-e2', 'hook17-e1'],
    );

    assert.equal(await w.remove('hook17-b', audit('webhook_deleted')), true);
    assert.equal(await w.remove('hook17-b', audit('webhook_deleted')), false);
    assert.deepEqual(await w.deliveries({ subscription_id: 'hook17-b', limit: 10 }), []);
    const actions = (await store().listAudit({ actor: 'admin-test', limit: 100 })).map((e) => e.action);
    assert.deepEqual(
      actions.filter((a) => a.startsWith('webhook_')),
      ['webhook_created', 'webhook_created', 'webhook_updated', 'webhook_updated', 'webhook_deleted'],
    );
    // Chained like every other entry (an earlier test of the suite breaks the chain on purpose: not verified here).
    const entries = await store().listAudit({ actor: 'admin-test', limit: 100 });
    assert.ok(entries.every((e) => e.hash !== null && e.prev_hash !== null));
  });

  it('webhooks: a claim leases the first pending delivery of each key; a later one waits until it is done or dead', async () => {
    const w = store().webhooks;
    const now = T + 20;
    // Left by the test before: e1..e4 of hook17-a, pending. tx1 has e1 then e4; tx2 e2; tx3 e3.
    const first = await w.claim('owner-1', now, 10_000, 100);
    const mine = first.filter((d) => d.subscription_id === 'hook17-a');
    assert.deepEqual(
      mine.map((d) => d.event_id),
      ['hook17-e1', 'hook17-e2', 'hook17-e3'],
    );
    assert.equal(mine[0]!.url, 'http://127.0.0.1:9/hook17-a');
    assert.equal(mine[0]!.secret_sealed, 'sealed-hook17-a');
    // Leased: another sender gets none of them, nor e4 (its key's first is still pending).
    const other = (await w.claim('owner-2', now, 10_000, 100)).filter(
      (d) => d.subscription_id === 'hook17-a',
    );
    assert.deepEqual(other, []);
    // A lost lease refuses the finish.
    assert.equal(
      await w.finish(mine[0]!.id, 'owner-2', { at: now, status_code: 200, error: null, next: 'delivered' }),
      false,
    );
    // e1 fails and is retried later: e4 still waits behind it.
    assert.equal(
      await w.finish(mine[0]!.id, 'owner-1', {
        at: now,
        status_code: 500,
        error: 'HTTP 500',
        next: 'retry',
        next_attempt_at: now + 1000,
      }),
      true,
    );
    assert.deepEqual(
      (await w.claim('owner-2', now + 1, 10_000, 100)).filter((d) => d.subscription_id === 'hook17-a'),
      [],
    );
    const retried = (await w.claim('owner-2', now + 1000, 10_000, 100)).filter(
      (d) => d.subscription_id === 'hook17-a',
    );
    assert.deepEqual(
      retried.map((d) => [d.event_id, d.attempts, d.last_status_code]),
      [['hook17-e1', 1, 500]],
    );
    await w.finish(retried[0]!.id, 'owner-2', {
      at: now + 1001,
      status_code: 200,
      error: null,
      next: 'delivered',
    });
    const next = (await w.claim('owner-2', now + 1002, 10_000, 100)).filter(
      (d) => d.subscription_id === 'hook17-a',
    );
    assert.deepEqual(
      next.map((d) => d.event_id),
      ['hook17-e4'],
    );
    // A lease that ran out (its holder died) is claimed again by another sender.
    const again = (await w.claim('owner-3', now + 20_000, 10_000, 100)).filter(
      (d) => d.subscription_id === 'hook17-a',
    );
    assert.deepEqual(again.map((d) => d.event_id).sort(), ['hook17-e2', 'hook17-e3', 'hook17-e4']);
    assert.equal(
      await w.finish(again[0]!.id, 'owner-3', {
        at: now,
        status_code: null,
        error: 'ECONNREFUSED',
        next: 'failed',
      }),
      true,
    );
    const dead = await w.getDelivery(again[0]!.id);
    assert.deepEqual([dead?.status, dead?.attempts, dead?.last_error], ['failed', 1, 'ECONNREFUSED']);
    const delivered = await w.getDelivery(retried[0]!.id);
    assert.deepEqual(
      [delivered?.status, delivered?.attempts, delivered?.delivered_at],
      ['delivered', 2, now + 1001],
    );

    // A redelivery queues the same body again as a new delivery, audited.
    const copy = await w.redeliver(
      delivered!.id,
      'hook17-redo-1',
      now + 30_000,
      audit('webhook_redelivered'),
    );
    assert.deepEqual(
      [copy?.id, copy?.status, copy?.body, copy?.event_id, copy?.redelivery_of],
      ['hook17-redo-1', 'pending', delivered!.body, 'hook17-e1', delivered!.id],
    );
    assert.equal(await w.redeliver('hook17-none', 'hook17-redo-2', now, audit('webhook_redelivered')), null);
    const stats = await w.stats();
    assert.ok(stats.by_status.pending >= 3, JSON.stringify(stats));
    assert.ok(stats.by_status.delivered >= 1 && stats.by_status.failed >= 1, JSON.stringify(stats));
    assert.ok(stats.oldest_pending_at !== null && stats.oldest_pending_at <= T + 10);
    // Disabled subscriptions are paused: nothing of theirs is claimed.
    await w.update('hook17-a', { enabled: false }, now, audit('webhook_updated'));
    assert.deepEqual(
      (await w.claim('owner-4', now + 100_000, 10_000, 100)).filter((d) => d.subscription_id === 'hook17-a'),
      [],
    );
    assert.equal(await w.enqueue([event(9, 'hook17-tx9')], now), 0 + (await countOthers(store())));
  });
  it('webhooks: two senders claiming at once take disjoint deliveries', async () => {
    const w = store().webhooks;
    await w.create(subscription('hook17-c', { events: ['label.recorded'] }), audit('webhook_created'));
    const events = Array.from({ length: 20 }, (_, i) =>
      event(100 + i, `hook17-race-${i}`, { type: 'label.recorded', outcome: null, score: null }),
    );
    await w.enqueue(events, T + 50);
    const now = T + 1_000_000;
    const [a, b] = await Promise.all([
      w.claim('race-1', now, 10_000, 15),
      w.claim('race-2', now, 10_000, 15),
    ]);
    const ofC = (list: typeof a) => list.filter((d) => d.subscription_id === 'hook17-c').map((d) => d.id);
    const both = [...ofC(a), ...ofC(b)];
    assert.equal(new Set(both).size, both.length, 'no delivery claimed twice');
    assert.equal(both.length, 20);
    await w.remove('hook17-c', audit('webhook_deleted'));
  });
}

/** Enabled subscriptions other tests may have left (none use hook17-): the count they would receive. */
async function countOthers(store: DecisionStore): Promise<number> {
  return (await store.webhooks.list()).filter(
    (s) => s.enabled && !s.id.startsWith('hook17-') && s.events.includes('decision.flagged'),
  ).length;
}
