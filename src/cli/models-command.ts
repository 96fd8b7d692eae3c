/**
 * `fraudwatch models list|promote ID|archive ID|rollback KIND`: the model stages for operators without the API,
 * on the same store as `serve` (DATABASE_URL, or the data dir). A change is audited with the stage change in one
 * database transaction, the operating-system user as the actor; every serve and worker follows it within
 * FRAUDWATCH_FOLLOW_INTERVAL_MS.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { ModelRegistry, ModelRegistryError, type StageChange } from '../service/model-registry.ts';
import { openStore } from '../store/open-store.ts';

interface StoreOptions {
  dataDir: string;
}

function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ');
}

/** Opens the store and a registry on it (without registering the directory: that is what a start does). */
async function withRegistry(
  opts: StoreOptions,
  work: (registry: ModelRegistry) => Promise<void>,
): Promise<void> {
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: opts.dataDir });
  try {
    const registry = await ModelRegistry.open({
      dir: join(opts.dataDir, 'models'),
      engine: new Engine(),
      store,
      register: false,
    });
    await work(registry);
  } catch (e) {
    if (!(e instanceof ModelRegistryError)) throw e;
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('model versions and their stages: list, promote, archive, roll back (audited)');
  const dataDir = (c: Command) =>
    c.option(
      '--data-dir <dir>',
      'embedded database and models directory (with DATABASE_URL, the store is PostgreSQL)',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    );

  dataDir(
    models
      .command('list')
      .description('every version: kind, id, stage, when its stage changed and by whom, training metrics')
      .option('--json', 'one JSON document: the versions as GET /api/v1/models lists them'),
  ).action(async (opts: StoreOptions & { json?: boolean }) => {
    await withRegistry(opts, async (registry) => {
      const versions = await registry.list();
      if (opts.json) {
        console.log(JSON.stringify({ versions }));
        return;
      }
      if (versions.length === 0) {
        console.log(
          'no model versions registered yet (serve or worker registers the models directory at start)',
        );
        return;
      }
      for (const v of versions)
        console.log(
          [
            v.kind,
            v.id,
            v.stage,
            `${v.stage_changed_at} by ${v.stage_changed_by}`,
            formatMetrics(v.metrics),
          ].join('  '),
        );
    });
  });

  const report = (what: string, change: StageChange) =>
    console.log(
      `${what}: ${change.after}${change.before !== null && change.before !== change.after ? ` (was ${change.before})` : ''}`,
    );

  dataDir(
    models
      .command('promote')
      .argument('<id>', 'a challenger or archived version')
      .description("make a version its kind's champion (in force); the champion before is archived"),
  ).action(async (id: string, opts: StoreOptions) => {
    await withRegistry(opts, async (r) => report('champion', await r.promote(id, cliActor())));
  });

  dataDir(
    models.command('archive').argument('<id>', 'a challenger').description('archive a challenger'),
  ).action(async (id: string, opts: StoreOptions) => {
    await withRegistry(opts, async (r) => report('archived', await r.archive(id, cliActor())));
  });

  dataDir(
    models
      .command('rollback')
      .argument('<kind>', 'gbdt or iforest')
      .description('put the champion before the current one back in force; the current one is archived'),
  ).action(async (kind: string, opts: StoreOptions) => {
    await withRegistry(opts, async (r) => report('champion', await r.rollback(kind, cliActor())));
  });
}
