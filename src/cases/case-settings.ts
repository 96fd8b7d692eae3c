/**
 * The case sweep's environment (issue 17): how long an account's flagged decisions keep joining its active case
 * (CASE_WINDOW, a duration such as 24h) and how often `serve` sweeps (CASE_SWEEP_MS). Read once at start; a bad
 * value is a RangeError naming the variable.
 */
import { parseDuration } from '../cli/options.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';
import { DEFAULT_CASE_WINDOW_MS } from './case-types.ts';

export const DEFAULT_CASE_SWEEP_MS = 2000;

export interface CaseSweepSettings {
  windowMs: number;
  everyMs: number;
}

export function caseSweepSettingsFromEnv(env: NodeJS.ProcessEnv): CaseSweepSettings {
  let windowMs = DEFAULT_CASE_WINDOW_MS;
  const window = env.CASE_WINDOW;
  if (window !== undefined && window.trim() !== '') {
    const parsed = parseDuration(window);
    if ('error' in parsed) throw new RangeError(`CASE_WINDOW: ${parsed.error}, got "${window}"`);
    if (!(parsed.ms > 0)) throw new RangeError(`CASE_WINDOW: must be longer than 0, got "${window}"`);
    windowMs = parsed.ms;
  }
  return { windowMs, everyMs: millisecondsFromEnv(env, 'CASE_SWEEP_MS', DEFAULT_CASE_SWEEP_MS) };
}
