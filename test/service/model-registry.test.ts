/** Model versions across processes on one models directory: a choice made by one is followed by the others. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { bootstrapModels, trainOnSimulation } from '../../src/training/bootstrap-models.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a version put in force by one process is followed by another on the same directory; a broken one is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-registry-'));
  const { gbdt, iforest } = trainOnSimulation(300, 14, 3);
  const write = (id: string, json: unknown) => writeFileSync(join(dir, `${id}.json`), JSON.stringify(json));
  write('gbdt-2026-01-01T00-00-00-000Z', { ...gbdt.toJSON(), version: 'gbdt-january' });
  write('gbdt-2026-02-01T00-00-00-000Z', { ...gbdt.toJSON(), version: 'gbdt-february' });
  write('iforest-2026-01-01T00-00-00-000Z', iforest.toJSON());
  const open = () => {
    const engine = new Engine({ labelDelayMs: 0 });
    const boot = bootstrapModels(dir);
    engine.setModels(boot.slots);
    return { engine, registry: new ModelRegistry(dir, engine, boot.loaded) };
  };
  const server = open();
  const worker = open();
  const stop = worker.registry.follow(20);
  const versionOf = (e: Engine) =>
    e.score({
      transaction_id: `t-${Math.random()}`,
      timestamp: Date.UTC(2026, 2, 1),
      account_id: 'a',
      amount: 10,
      currency: 'EUR',
    }).model_version;
  try {
    assert.match(versionOf(worker.engine)!, /gbdt-february/);
    server.registry.rollback('gbdt');
    await sleep(200);
    assert.equal(worker.registry.active().gbdt, 'gbdt-2026-01-01T00-00-00-000Z');
    assert.match(versionOf(worker.engine)!, /gbdt-january/);
    // A broken artifact named in active.json by hand: the worker keeps the version in force.
    write('gbdt-2026-03-01T00-00-00-000Z', { kind: 'gbdt', trees: 'no' });
    writeFileSync(join(dir, 'active.json'), JSON.stringify({ gbdt: 'gbdt-2026-03-01T00-00-00-000Z' }));
    await sleep(200);
    assert.equal(worker.registry.active().gbdt, 'gbdt-2026-01-01T00-00-00-000Z');
    assert.match(versionOf(worker.engine)!, /gbdt-january/);
  } finally {
    stop();
  }
});
