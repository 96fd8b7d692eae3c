/**
 * Training from the store as the environment configures it (README "Configuration"): the retrain policy, the
 * window, the label delay and how often serve checks. A bad value is a start-up failure naming the variable.
 */
import { DEFAULT_LABEL_DELAY_MS } from '../engine/engine.ts';
import { DEFAULT_RETRAIN_POLICY, type RetrainPolicy } from '../service/retrain-policy.ts';
import { parseDuration } from './options.ts';

export interface TrainingSettings {
  policy: RetrainPolicy;
  windowMs: number;
  labelDelayMs: number;
  checkEveryMs: number;
}

export const DEFAULT_TRAIN_WINDOW_MS = 30 * 86_400_000;
export const DEFAULT_RETRAIN_CHECK_MS = 3_600_000;

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number, offAllowed = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (offAllowed && raw.trim().toLowerCase() === 'off') return Infinity;
  const parsed = parseDuration(raw);
  if ('error' in parsed || parsed.ms <= 0)
    throw new RangeError(
      `${name}: must be a duration such as 12h or 7d${offAllowed ? ', or off' : ''}, got "${raw}"` +
        ('error' in parsed ? ` (${parsed.error})` : ''),
    );
  return parsed.ms;
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  says: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) throw new RangeError(`${name}: must be ${says}, got "${raw}"`);
  return n;
}

export function trainingSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TrainingSettings {
  return {
    policy: {
      everyMs: duration(env, 'RETRAIN_EVERY', DEFAULT_RETRAIN_POLICY.everyMs, true),
      precisionWindowMs: duration(env, 'RETRAIN_PRECISION_WINDOW', DEFAULT_RETRAIN_POLICY.precisionWindowMs),
      minPrecision: number(
        env,
        'RETRAIN_MIN_PRECISION',
        DEFAULT_RETRAIN_POLICY.minPrecision,
        (n) => n >= 0 && n <= 1,
        'a number from 0 to 1',
      ),
      minLabels: number(
        env,
        'RETRAIN_MIN_LABELS',
        DEFAULT_RETRAIN_POLICY.minLabels,
        (n) => Number.isSafeInteger(n) && n > 0,
        'a positive whole number',
      ),
    },
    windowMs: duration(env, 'TRAIN_WINDOW', DEFAULT_TRAIN_WINDOW_MS),
    labelDelayMs: duration(env, 'TRAIN_LABEL_DELAY', DEFAULT_LABEL_DELAY_MS),
    checkEveryMs: duration(env, 'RETRAIN_CHECK_INTERVAL', DEFAULT_RETRAIN_CHECK_MS),
  };
}
