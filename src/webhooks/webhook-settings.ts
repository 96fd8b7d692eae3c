/** How webhooks are sent, from the environment (docs/api.md, "Webhooks"); tests shorten the waits. */
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';

export interface WebhookSettings {
  /** Each attempt's bound (FRAUDWATCH_WEBHOOK_TIMEOUT_MS; default 5 s). */
  timeoutMs: number;
  /** The first retry's wait; each next one doubles (FRAUDWATCH_WEBHOOK_BACKOFF_MS; default 10 s). */
  backoffBaseMs: number;
  /** A delivery not delivered this long after its event is marked failed (FRAUDWATCH_WEBHOOK_MAX_AGE_MS; 24 h). */
  maxAgeMs: number;
  /** How often the outbox is looked at when nothing woke the sender (FRAUDWATCH_WEBHOOK_POLL_MS; default 1 s). */
  pollMs: number;
  /** How long a claimed delivery is this process's: the timeout and a margin. */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  timeoutMs: 5000,
  backoffBaseMs: 10_000,
  maxAgeMs: 24 * 3_600_000,
  pollMs: 1000,
  leaseMs: 15_000,
};

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const d = DEFAULT_WEBHOOK_SETTINGS;
  const timeoutMs = millisecondsFromEnv(env, 'FRAUDWATCH_WEBHOOK_TIMEOUT_MS', d.timeoutMs);
  return {
    timeoutMs,
    backoffBaseMs: millisecondsFromEnv(env, 'FRAUDWATCH_WEBHOOK_BACKOFF_MS', d.backoffBaseMs),
    maxAgeMs: millisecondsFromEnv(env, 'FRAUDWATCH_WEBHOOK_MAX_AGE_MS', d.maxAgeMs),
    pollMs: millisecondsFromEnv(env, 'FRAUDWATCH_WEBHOOK_POLL_MS', d.pollMs),
    leaseMs: timeoutMs + 10_000,
  };
}
