/** Rows packed newest first for a transfer to the training thread, and put back in time order there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureHistory, RowPacker } from '../../src/training/feature-history.ts';
import { prepareTrainingJob, transferablesOf } from '../../src/training/train-models.ts';

test('rows packed newest first, across growths of the arrays, come back oldest first with their labels', () => {
  const packer = new RowPacker(2, 2); // grows at 2, 4, 8
  const labels = [1, 0, null, 0, 1, null, 0, 0, 1] as const;
  for (let i = 8; i >= 0; i--) packer.push(1000 + i, new Float64Array([i, -i, 99]), labels[i]!);
  const rows = packer.finish();
  assert.equal(rows.n, 9);
  const history = FeatureHistory.fromNewestFirst(rows);
  const sample = history.sample(-Infinity, Infinity, 100);
  assert.deepEqual(
    Array.from(sample.X),
    Array.from({ length: 9 }, (_, i) => [i, -i]).flat(),
    'time order; the width cuts the extra column',
  );
  const job = prepareTrainingJob({ rows, sampleRows: 100, seed: 1, training: { rows: 0 } });
  assert.equal(job.labelled.n, 7, 'the two unknown labels left out');
  assert.deepEqual(Array.from(job.labelled.y), [1, 0, 0, 1, 0, 0, 1]);
  assert.equal(job.training.rows, 7, 'the labelled count recorded once built');
  assert.equal(transferablesOf(job).length, 0, 'a prepared job is copied, not moved');
  assert.equal(
    transferablesOf({ rows, sampleRows: 1, seed: 1, training: { rows: 0 } }).length,
    3,
    'stored rows move',
  );
});
