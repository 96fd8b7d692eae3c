/** `fraudwatch keys create|list|revoke`: API keys, usable on an empty data dir before the first `serve`. */
import type { Command } from 'commander';
import { createApiKey } from '../api/auth.ts';
import { openStore } from '../store/open-store.ts';
import { ROLES, type Role } from '../store/types.ts';

interface StoreOptions {
  dataDir: string;
}

const storeConfig = (opts: StoreOptions) => ({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: opts.dataDir,
});

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys');
  const dataDir = (c: Command) =>
    c.option(
      '--data-dir <dir>',
      'embedded database directory (ignored when DATABASE_URL is set)',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    );

  dataDir(
    keys
      .command('create')
      .description('create a key; the key alone is printed on the last line (shown once, stored hashed)')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
      .option('--name <name>', 'who or what uses the key (the actor in the audit trail)'),
  ).action(async (opts: StoreOptions & { role: string; name?: string }) => {
    if (!(ROLES as readonly string[]).includes(opts.role))
      keys.error(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`);
    const store = await openStore(storeConfig(opts));
    try {
      const { record, key } = await createApiKey(store, opts.role as Role, opts.name ?? `${opts.role}-key`);
      console.log(
        `created ${record.role} key "${record.name}" (id ${record.id}); store it now, it is not shown again:`,
      );
      console.log(key);
    } finally {
      await store.close();
    }
  });

  dataDir(keys.command('list').description('list keys (never the keys themselves)')).action(
    async (opts: StoreOptions) => {
      const store = await openStore(storeConfig(opts));
      try {
        for (const k of await store.listApiKeys()) {
          const state = k.revoked_at === null ? 'active' : `revoked ${new Date(k.revoked_at).toISOString()}`;
          console.log(
            `${k.id}  ${k.role.padEnd(8)}  ${k.name}  created ${new Date(k.created_at).toISOString()}  ${state}`,
          );
        }
      } finally {
        await store.close();
      }
    },
  );

  dataDir(
    keys.command('revoke').description('revoke a key by id').argument('<id>', 'the key id from `keys list`'),
  ).action(async (id: string, opts: StoreOptions) => {
    const store = await openStore(storeConfig(opts));
    try {
      if (!(await store.revokeApiKey(id, Date.now()))) {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
      } else {
        console.log(`revoked ${id}`);
      }
    } finally {
      await store.close();
    }
  });
}
