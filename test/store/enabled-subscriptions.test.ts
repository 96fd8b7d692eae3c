/**
 * The enqueue's first look at the enabled subscriptions: read at most once a second, again at once after this
 * process changes one, and the outbox writer wakes the sender only when deliveries were written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENABLED_SUBSCRIPTIONS_MAX_AGE_MS,
  EnabledSubscriptions,
} from '../../src/store/enabled-subscriptions.ts';
import type { OutboxEvent, WebhookSubscription } from '../../src/store/webhook-types.ts';
import type { DecisionStore } from '../../src/store/types.ts';
import { OutboxWriter } from '../../src/webhooks/outbox-writer.ts';

const subscription = (over: Partial<WebhookSubscription> = {}): WebhookSubscription => ({
  id: 's1',
  url: 'http://127.0.0.1:1/hook',
  events: ['decision.flagged'],
  outcomes: null,
  min_score: 0.5,
  enabled: true,
  key_id: 'k1',
  secret_sealed: 'sealed',
  created_at: 0,
  updated_at: 0,
  created_by: 'test',
  ...over,
});

const event = (over: Partial<OutboxEvent> = {}): OutboxEvent => ({
  event_id: 'e1',
  type: 'decision.flagged',
  key: 'tx1',
  at: 0,
  body: '{}',
  outcome: 'review',
  score: 0.9,
  ...over,
});

test('read once a second at most; a change made here is seen at once; the filters decide', async () => {
  let now = 0;
  let reads = 0;
  let stored: WebhookSubscription[] = [];
  const enabled = new EnabledSubscriptions(
    () => {
      reads++;
      return stored;
    },
    () => now,
  );
  assert.equal(await enabled.wantAny([event()]), false);
  stored = [subscription()]; // another process subscribes
  now = ENABLED_SUBSCRIPTIONS_MAX_AGE_MS - 1;
  assert.equal(await enabled.wantAny([event()]), false, 'not seen before the read is a second old');
  assert.equal(reads, 1);
  now = ENABLED_SUBSCRIPTIONS_MAX_AGE_MS;
  assert.equal(await enabled.wantAny([event()]), true, 'seen once it is');
  assert.equal(reads, 2);
  assert.equal(await enabled.wantAny([event({ score: 0.1 })]), false, 'below min_score');
  assert.equal(
    await enabled.wantAny([event({ score: 0.1 }), event()]),
    true,
    'one event of the batch is enough',
  );
  assert.equal(await enabled.wantAny([event({ type: 'label.recorded' })]), false, 'a type not subscribed');
  assert.equal(reads, 2);
  stored = [];
  enabled.forget(); // this process removed it
  assert.equal(await enabled.wantAny([event()]), false);
  assert.equal(reads, 3);
});

test('the outbox writer wakes the sender after a batch that wrote deliveries, not after one nobody wanted', async () => {
  let written = 0;
  const store = { webhooks: { enqueue: async () => written } } as unknown as DecisionStore;
  const outbox = new OutboxWriter(store, () => 0);
  let wakes = 0;
  outbox.onWritten = () => wakes++;
  outbox.publish({ type: 'decision.flagged', key: 'tx1', at: 0, data: { outcome: 'review', score: 0.9 } });
  await outbox.flush();
  assert.equal(wakes, 0);
  written = 1;
  outbox.publish({ type: 'decision.flagged', key: 'tx2', at: 0, data: { outcome: 'review', score: 0.9 } });
  await outbox.flush();
  assert.equal(wakes, 1);
});
