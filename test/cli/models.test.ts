/** `fraudwatch models`: list, promote, archive, roll back on the store a server uses; audited; wrong stages refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { ModelRegistry } from '../../src/service/model-registry.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FOREST, GBDT_FEBRUARY, GBDT_JANUARY, writeModelVersions } from '../training/model-versions.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fraudwatch-models-cli-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fraudwatch.js', 'models', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });

test('models: list the stages, promote and roll back through the store, refused by name; a server follows', async () => {
  const empty = cli('list');
  assert.equal(empty.status, 0, empty.stderr);
  assert.match(empty.stdout, /no model versions registered yet/);

  const dir = join(dataDir, 'models');
  mkdirSync(dir);
  writeModelVersions(dir);
  // What a server's start does: the directory registered, February's GBDT the champion.
  const store = new SqliteStore(join(dataDir, 'fraudwatch.db'));
  await store.migrate();
  const engine = new Engine({ labelDelayMs: 0 });
  const server = await ModelRegistry.open({ dir, engine, store });
  try {
    const listed = cli('list');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(`gbdt  ${GBDT_FEBRUARY}  champion  .* by system  .*validation_auc=0\\.\\d{4}`),
    );
    assert.match(listed.stdout, new RegExp(`gbdt  ${GBDT_JANUARY}  archived`));
    const json = JSON.parse(cli('list', '--json').stdout);
    assert.equal(json.versions.length, 3);

    const promoted = cli('promote', GBDT_JANUARY);
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.equal(promoted.stdout.trim(), `champion: ${GBDT_JANUARY} (was ${GBDT_FEBRUARY})`);
    const [entry] = await store.listAudit({ action: 'model_promote' });
    assert.match(entry!.actor, /^cli/);
    await server.refresh();
    assert.equal(server.active().gbdt, GBDT_JANUARY, 'the server follows');

    const twice = cli('promote', GBDT_JANUARY);
    assert.equal(twice.status, 1);
    assert.match(twice.stderr, /is already the champion of gbdt/);
    const archive = cli('archive', FOREST);
    assert.equal(archive.status, 1);
    assert.match(archive.stderr, /is the champion; only a challenger is archived/);
    assert.equal(cli('promote', 'gbdt-1999').status, 1);

    const back = cli('rollback', 'gbdt');
    assert.equal(back.status, 0, back.stderr);
    assert.equal(back.stdout.trim(), `champion: ${GBDT_FEBRUARY} (was ${GBDT_JANUARY})`);
    assert.match(cli('rollback', 'forest').stderr, /kind: must be one of/);
  } finally {
    await store.close();
  }
});
