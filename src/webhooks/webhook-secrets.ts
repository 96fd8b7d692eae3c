/**
 * Signing secrets of webhook subscriptions. A secret is 32 random bytes shown once (at creation and rotation);
 * the store keeps it sealed with AES-256-GCM under a master key that never enters the store: a copy of the
 * database (a backup, a read replica, an auditor's SQL access) does not sign anything. The master key is
 * FRAUDWATCH_WEBHOOK_KEY (64 hex characters; every process on one PostgreSQL store needs the same), else a file
 * `webhook-secrets.key` (mode 0600) in the data directory, made at first use.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_PREFIX = 'whsec_';
export const MASTER_KEY_FILE = 'webhook-secrets.key';
const SEALED_PREFIX = 'v1:';

/** A new secret as receivers get it: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A new key id: names the secret in force in each delivery's X-Fraudwatch-Key-Id. */
export function newKeyId(): string {
  return `whk_${randomBytes(6).toString('hex')}`;
}

export class SecretSealer {
  private constructor(private readonly key: Buffer) {
    if (key.length !== 32)
      throw new RangeError('FRAUDWATCH_WEBHOOK_KEY: must be 64 hexadecimal characters (32 bytes)');
  }

  static fromHex(hex: string): SecretSealer {
    if (!/^[0-9a-fA-F]{64}$/.test(hex))
      throw new RangeError('FRAUDWATCH_WEBHOOK_KEY: must be 64 hexadecimal characters (32 bytes)');
    return new SecretSealer(Buffer.from(hex, 'hex'));
  }

  /** A key that lives as long as this process (tests, and apps built without a data directory). */
  static ephemeral(): SecretSealer {
    return new SecretSealer(randomBytes(32));
  }

  /** FRAUDWATCH_WEBHOOK_KEY when set, else the data directory's key file (made now when missing). */
  static forProcess(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretSealer {
    const fromEnv = env.FRAUDWATCH_WEBHOOK_KEY;
    if (fromEnv !== undefined && fromEnv !== '') return SecretSealer.fromHex(fromEnv.trim());
    const file = join(dataDir, MASTER_KEY_FILE);
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      // wx: two processes starting at once keep the first one's key.
      try {
        writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      chmodSync(file, 0o600);
    }
    return SecretSealer.fromHex(readFileSync(file, 'utf8').trim());
  }

  seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** The secret; throws when it was sealed under another master key (or changed). */
  open(sealed: string): string {
    const [iv, tag, data] = sealed.startsWith(SEALED_PREFIX)
      ? sealed.slice(SEALED_PREFIX.length).split('.')
      : [];
    if (iv === undefined || tag === undefined || data === undefined)
      throw new Error('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}
