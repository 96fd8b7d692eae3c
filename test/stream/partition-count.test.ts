/**
 * The transactions stream records its partition count; a producer or worker configured with another count is
 * refused with one line naming FRAUDWATCH_PARTITIONS, before it publishes or consumes anything. Real NATS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectStream } from '../../src/stream/nats-connection.ts';
import { PartitionCountMismatch, recordedPartitions } from '../../src/stream/partition-count.ts';
import { streamNames } from '../../src/stream/stream-config.ts';
import { openStream, removeStreams, testConfig } from './stream-fixture.ts';

const BIN = fileURLToPath(new URL('../../bin/fraudwatch.js', import.meta.url));

test('a stream records its partition count; a process with another count is refused, one with the same is not', async (t) => {
  const config = testConfig(8);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const names = streamNames(config);
  try {
    assert.equal(recordedPartitions(await stream.jsm.streams.info(names.transactions)), 8);
    await assert.rejects(connectStream({ ...config, partitions: 4 }), (e: Error) => {
      assert.ok(e instanceof PartitionCountMismatch);
      assert.equal(
        e.message,
        `FRAUDWATCH_PARTITIONS is 4 but stream ${names.transactions} has 8 partitions: set FRAUDWATCH_PARTITIONS=8 (the count is fixed for the life of the stream)`,
      );
      return true;
    });
    // The refused process created nothing: still the 8 partition consumers only.
    const consumers: string[] = [];
    for await (const c of stream.jsm.consumers.list(names.transactions)) consumers.push(c.name);
    assert.equal(consumers.length, 8);
    const same = await connectStream({ ...config, partitions: 8 });
    await same.close();
  } finally {
    await removeStreams(stream, config);
  }
});

test('a stream made before counts were recorded gets the count of its partition consumers', async (t) => {
  const config = testConfig(6);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const names = streamNames(config);
  try {
    // As an older release left it: no record in the description.
    const info = await stream.jsm.streams.info(names.transactions);
    await stream.jsm.streams.update(names.transactions, { ...info.config, description: '' });
    assert.equal(recordedPartitions(await stream.jsm.streams.info(names.transactions)), null);
    await assert.rejects(connectStream({ ...config, partitions: 8 }), /FRAUDWATCH_PARTITIONS is 8 .* has 6/);
    assert.equal(recordedPartitions(await stream.jsm.streams.info(names.transactions)), 6, 'recorded now');
  } finally {
    await removeStreams(stream, config);
  }
});

test('simulate --to (exit 1) and worker (a start-up failure, exit 2) refuse a disagreeing FRAUDWATCH_PARTITIONS in one line', async (t) => {
  const config = testConfig(8);
  const stream = await openStream(t, config);
  if (stream === null) return;
  const names = streamNames(config);
  const env = {
    ...process.env,
    NATS_URL: config.url,
    FRAUDWATCH_STREAM_PREFIX: config.prefix,
    FRAUDWATCH_PARTITIONS: '4',
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  try {
    const producer = spawnSync(
      process.execPath,
      [BIN, 'simulate', '--to', config.url, '--count', '10', '--accounts', '5', '--days', '1'],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(producer.status, 1, producer.stderr);
    assert.match(
      producer.stderr.trim(),
      /^--to .*: FRAUDWATCH_PARTITIONS is 4 but stream .* has 8 partitions/,
    );
    assert.equal(producer.stderr.trim().split('\n').length, 1, producer.stderr);
    assert.equal((await stream.jsm.streams.info(names.transactions)).state.messages, 0, 'nothing published');

    const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-partitions-'));
    const worker = spawnSync(
      process.execPath,
      [BIN, 'worker', '--no-models', '--port', '0', '--data-dir', dataDir],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(worker.status, 2, `a start-up failure: ${worker.stderr}`);
    assert.match(worker.stderr, /^fraudwatch: FRAUDWATCH_PARTITIONS is 4 but stream .* has 8 partitions/m);
  } finally {
    await removeStreams(stream, config);
  }
});
