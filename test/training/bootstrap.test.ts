import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_NAMES, indexOfFeature } from '../../src/engine/features/catalog.ts';
import { bootstrapModels } from '../../src/training/bootstrap-models.ts';

test('first start trains and saves both models; the next start loads the same ones', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fraudwatch-models-')), 'models');
  const first = bootstrapModels(dir);
  assert.equal(first.trained, true);
  assert.equal(readdirSync(dir).length, 2);
  const second = bootstrapModels(dir);
  assert.equal(second.trained, false);
  const vector = new Float64Array(FEATURE_NAMES.length);
  vector[indexOfFeature('amount')] = 900;
  vector[indexOfFeature('amount_ratio_mean_30d')] = 12;
  vector[indexOfFeature('account_count_30d')] = 20;
  for (let i = 0; i < 2; i++) {
    const a = first.slots[i]!.model!;
    const b = second.slots[i]!.model!;
    assert.equal(a.name, b.name);
    assert.equal(b.predict(vector), a.predict(vector), `${a.name} scores the same after loading`);
  }
});
