/**
 * The case sweep's own behaviour, on the embedded store: a failing pass is logged once and counted, never thrown,
 * the next pass tries again; stop waits for a pass under way; CASE_WINDOW and CASE_SWEEP_MS are read by name.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseSweepSettingsFromEnv } from '../../src/cases/case-settings.ts';
import { CaseSweep } from '../../src/cases/case-sweep.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-sweep-')), 's.db'));
await store.migrate();
const service = new DecisionService(new Engine(), store, Date.now, 1000, new Metrics());
after(() => store.close());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a failing pass is logged once and counted, the sweep goes on, and says when it works again', async () => {
  const lines: string[] = [];
  const sweep = new CaseSweep(service, { everyMs: 20, log: (l) => lines.push(l) });
  const group = store.cases.groupAlerts.bind(store.cases);
  store.cases.groupAlerts = async () => {
    throw new Error('database is locked');
  };
  sweep.start();
  await wait(200);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /case sweep failed.*database is locked/);
  assert.match(await service.metrics!.text(), /fraudwatch_errors_total\{kind="case_sweep"\} ([2-9]|\d\d+)/);
  store.cases.groupAlerts = group;
  // The sweep's writes run on the store's writer thread, which may still be loading its modules (tsx).
  for (let waited = 0; lines.at(-1) !== 'case sweep works again' && waited < 5000; waited += 50)
    await wait(50);
  assert.equal(lines.at(-1), 'case sweep works again');
  await sweep.stop();
  const count = lines.length;
  await wait(100);
  assert.equal(lines.length, count, 'nothing runs after stop');
});

test('a tick asked for while one runs waits for it; stop waits for the pass under way', async () => {
  const sweep = new CaseSweep(service, { log: () => undefined });
  const group = store.cases.groupAlerts.bind(store.cases);
  let running = 0;
  let most = 0;
  store.cases.groupAlerts = async (...args) => {
    most = Math.max(most, ++running);
    await wait(50);
    running--;
    return group(...args);
  };
  try {
    const passes = [sweep.tick(), sweep.tick(), sweep.tick()];
    await sweep.stop();
    assert.equal(running, 0, 'stop returned after the passes');
    assert.equal(most, 1, 'one pass at a time');
    for (const pass of await Promise.all(passes)) assert.equal(pass.grouped, 0);
  } finally {
    store.cases.groupAlerts = group;
  }
});

test('CASE_WINDOW is a duration and CASE_SWEEP_MS whole milliseconds; a bad value names its variable', () => {
  assert.deepEqual(caseSweepSettingsFromEnv({}), { windowMs: 24 * 3_600_000, everyMs: 2000 });
  assert.deepEqual(caseSweepSettingsFromEnv({ CASE_WINDOW: '90min', CASE_SWEEP_MS: '500' }), {
    windowMs: 90 * 60_000,
    everyMs: 500,
  });
  assert.throws(
    () => caseSweepSettingsFromEnv({ CASE_WINDOW: '24' }),
    /^RangeError: CASE_WINDOW: needs a unit/,
  );
  assert.throws(() => caseSweepSettingsFromEnv({ CASE_WINDOW: '0h' }), /CASE_WINDOW: must be longer than 0/);
  assert.throws(() => caseSweepSettingsFromEnv({ CASE_SWEEP_MS: '2s' }), /CASE_SWEEP_MS/);
});
