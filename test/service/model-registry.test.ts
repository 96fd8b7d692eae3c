/** Model versions across processes on one models directory: a choice made by one is followed by the others. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { bootstrapModels } from '../../src/training/bootstrap-models.ts';
import { GBDT_FEBRUARY, GBDT_JANUARY, writeModelVersions } from '../training/model-versions.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a version put in force by one process is followed by another on the same directory; a broken one is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fraudwatch-registry-'));
  writeModelVersions(dir);
  const open = () => {
    const engine = new Engine({ labelDelayMs: 0 });
    const boot = bootstrapModels(dir);
    engine.setModels(boot.slots);
    return { engine, registry: new ModelRegistry(dir, engine, boot.loaded) };
  };
  const server = open();
  const worker = open();
  const logged: string[] = [];
  const stop = worker.registry.follow(20, (line) => logged.push(line));
  const versionOf = (e: Engine) =>
    e.score({
      transaction_id: `t-${Math.random()}`,
      timestamp: Date.UTC(2026, 2, 1),
      account_id: 'a',
      amount: 10,
      currency: 'EUR',
    }).model_version;
  try {
    assert.match(versionOf(worker.engine)!, new RegExp(GBDT_FEBRUARY));
    server.registry.rollback('gbdt');
    await sleep(200);
    assert.equal(worker.registry.active().gbdt, 'gbdt-2026-01-01T00-00-00-000Z');
    assert.match(versionOf(worker.engine)!, new RegExp(GBDT_JANUARY));
    // A broken artifact named in active.json by hand: the worker keeps the version in force.
    writeFileSync(
      join(dir, 'gbdt-2026-03-01T00-00-00-000Z.json'),
      JSON.stringify({ kind: 'gbdt', trees: 'no' }),
    );
    writeFileSync(join(dir, 'active.json'), JSON.stringify({ gbdt: 'gbdt-2026-03-01T00-00-00-000Z' }));
    await sleep(200);
    assert.ok(
      logged.some((line) => line.includes('gbdt-2026-03-01T00-00-00-000Z cannot be loaded')),
      'the follower tried the broken artifact',
    );
    assert.equal(worker.registry.active().gbdt, 'gbdt-2026-01-01T00-00-00-000Z');
    assert.match(versionOf(worker.engine)!, new RegExp(GBDT_JANUARY));
  } finally {
    stop();
  }
});
