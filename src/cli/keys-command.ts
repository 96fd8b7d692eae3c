/**
 * `fraudwatch keys create|list|revoke|rotate`: API keys, usable on an empty data dir before the first `serve`.
 * Every change is audited in the same database transaction, with the operating-system user as the actor.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { createApiKey, newApiKey } from '../api/auth.ts';
import { openStore } from '../store/open-store.ts';
import { ROLES, type ApiKeyRecord, type Role } from '../store/types.ts';
import { durationOption } from './options.ts';

interface StoreOptions {
  dataDir: string;
}

const storeConfig = (opts: StoreOptions) => ({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: opts.dataDir,
});

/** Who ran the command, for the audit trail. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function keyState(k: ApiKeyRecord, now: number): string {
  if (k.revoked_at !== null)
    return `${k.revoked_at <= now ? 'revoked' : 'revoked from'} ${new Date(k.revoked_at).toISOString()}`;
  if (k.expires_at != null)
    return `${k.expires_at <= now ? 'expired' : 'active, expires'} ${new Date(k.expires_at).toISOString()}`;
  return 'active';
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list, revoke and rotate API keys (all audited)');
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
      .option('--name <name>', 'who or what uses the key (the actor in the audit trail)')
      .addOption(
        durationOption(
          '--expires <duration>',
          'the key stops working after this long, e.g. 90d (default: never)',
        ),
      ),
  ).action(async (opts: StoreOptions & { role: string; name?: string; expires?: number }) => {
    if (!(ROLES as readonly string[]).includes(opts.role))
      keys.error(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`);
    const store = await openStore(storeConfig(opts));
    try {
      const now = Date.now();
      const { record, key } = await createApiKey(
        store,
        opts.role as Role,
        opts.name ?? `${opts.role}-key`,
        now,
        {
          expiresAt: opts.expires === undefined ? null : now + opts.expires,
          actor: cliActor(),
        },
      );
      const expiry =
        record.expires_at == null ? '' : `, expires ${new Date(record.expires_at).toISOString()}`;
      console.log(
        `created ${record.role} key "${record.name}" (id ${record.id}${expiry}); store it now, it is not shown again:`,
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
        const now = Date.now();
        for (const k of await store.listApiKeys()) {
          console.log(
            `${k.id}  ${k.role.padEnd(8)}  ${k.name}  created ${new Date(k.created_at).toISOString()}  ${keyState(k, now)}`,
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
      const at = Date.now();
      const revoked = await store.revokeApiKey(id, at, {
        at,
        actor: cliActor(),
        action: 'key_revoke',
        transaction_id: null,
        old_value: id,
        new_value: null,
        note: null,
      });
      if (!revoked) {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
      } else {
        console.log(`revoked ${id}`);
      }
    } finally {
      await store.close();
    }
  });

  dataDir(
    keys
      .command('rotate')
      .description(
        'replace a key: a new one with the same name and role, printed alone on the last line; the old one is revoked (after --grace)',
      )
      .argument('<id>', 'the key id from `keys list`')
      .addOption(
        durationOption(
          '--grace <duration>',
          'the old key keeps working this long, e.g. 1h, to roll clients over',
          0,
        ),
      )
      .addOption(
        durationOption('--expires <duration>', 'the new key stops working after this long (default: never)'),
      ),
  ).action(async (id: string, opts: StoreOptions & { grace: number; expires?: number }) => {
    const store = await openStore(storeConfig(opts));
    try {
      const old = (await store.listApiKeys()).find((k) => k.id === id);
      const now = Date.now();
      if (old === undefined || old.revoked_at !== null) {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
        return;
      }
      const { record, key } = newApiKey(
        old.role,
        old.name,
        now,
        opts.expires === undefined ? null : now + opts.expires,
      );
      const revokeAt = now + opts.grace;
      const rotated = await store.rotateApiKey(id, record, revokeAt, {
        at: now,
        actor: cliActor(),
        action: 'key_rotate',
        transaction_id: null,
        old_value: id,
        new_value: record.id,
        note: opts.grace > 0 ? `old key works until ${new Date(revokeAt).toISOString()}` : null,
      });
      if (!rotated) {
        console.error(`no active key with id ${id}`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `rotated ${id} -> ${record.id}; the old key ${opts.grace > 0 ? `works until ${new Date(revokeAt).toISOString()}` : 'is revoked'}. The new key, shown once:`,
      );
      console.log(key);
    } finally {
      await store.close();
    }
  });
}
