/** `fraudwatch dlq replay --seq` against the real NATS JetStream: bad and absent sequences are refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sendToDeadLetters } from '../../src/stream/dead-letters.ts';
import { streamNames } from '../../src/stream/stream-config.ts';
import { NATS_URL, openStream, removeStreams, testConfig } from '../stream/stream-fixture.ts';
import { parseSequences } from '../../src/cli/dlq-command.ts';

test('parseSequences takes positive whole numbers only', () => {
  assert.deepEqual(parseSequences(['1', '42']), { seqs: [1, 42] });
  for (const bad of ['abc', '0', '-1', '1.5', '', '1e3', '99999999999999999999'])
    assert.deepEqual(parseSequences(['1', bad]), { bad });
});

test('dlq replay --seq: a non-number exits 2, an absent sequence exits 1 replaying nothing, a real one replays', async (t) => {
  const config = testConfig(4);
  const stream = await openStream(t, config);
  if (stream === null) return;
  try {
    const letter = (id: string) => ({
      payload: JSON.stringify({
        transaction_id: id,
        account_id: 'acc-1',
        amount: 5,
        timestamp: '2026-03-01T10:00:00Z',
      }),
      error: 'test: planted',
      attempts: 5,
      subject: streamNames(config).transactionSubject(0),
      stream_sequence: id === 'tx-1' ? 1 : 2,
      at: new Date().toISOString(),
    });
    await sendToDeadLetters(stream.js, config, letter('tx-1'));
    await sendToDeadLetters(stream.js, config, letter('tx-2'));
    const dlq = streamNames(config).deadLetters;
    const { first_seq: first, last_seq: last } = (await stream.jsm.streams.info(dlq)).state;
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/fraudwatch.js', 'dlq', ...args], {
        encoding: 'utf8',
        env: {
          ...process.env,
          NATS_URL,
          FRAUDWATCH_STREAM_PREFIX: config.prefix,
          FRAUDWATCH_PARTITIONS: String(config.partitions),
        },
      });

    const bad = cli('replay', '--seq', 'abc');
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /--seq must be sequence numbers .*got "abc"/);
    assert.doesNotMatch(bad.stdout, /replayed/);

    const absent = cli('replay', '--seq', String(first), '999');
    assert.equal(absent.status, 1, absent.stderr);
    assert.match(absent.stderr, /no dead letter at sequence 999 .*nothing replayed/);
    assert.equal(
      (await stream.jsm.streams.info(dlq)).state.messages,
      2,
      'nothing replayed, both still there',
    );

    const one = cli('replay', '--seq', String(first));
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^replayed 1, kept 0$/m);
    const after = (await stream.jsm.streams.info(dlq)).state;
    assert.equal(after.messages, 1);
    assert.equal(after.last_seq, last, 'the other one stays');

    const again = cli('replay', '--seq', String(first));
    assert.equal(again.status, 1, 'a sequence already replayed is gone');
    assert.match(again.stderr, new RegExp(`no dead letter at sequence ${first} `));
  } finally {
    await removeStreams(stream, config);
  }
});
