/**
 * The environment of shadow scoring and the live comparison (issue 13): the challenger's share of decisions
 * (CHALLENGER_TRAFFIC), the window of the live model metrics (LIVE_METRICS_WINDOW) and how often they are
 * recomputed (LIVE_METRICS_INTERVAL_MS). Read once at start; a bad value is a RangeError naming the variable.
 */
import { parseDuration } from '../cli/options.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';
import { DEFAULT_LIVE_METRICS_INTERVAL_MS, DEFAULT_LIVE_METRICS_WINDOW_MS } from './live-model-metrics.ts';

export interface LiveModelSettings {
  /** Share of transactions (0..1, by a stable hash of the id) decided by the challenger set while there is one. */
  challengerTraffic: number;
  liveMetricsWindowMs: number;
  liveMetricsIntervalMs: number;
}

/** A share in [0, 1]: RangeError `name: ...` otherwise. */
export function checkShare(name: string, value: number, shown: string = String(value)): number {
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new RangeError(`${name}: must be a number from 0 to 1 (a share of transactions), got "${shown}"`);
  return value;
}

export function liveModelSettingsFromEnv(env: NodeJS.ProcessEnv): LiveModelSettings {
  const traffic = env.CHALLENGER_TRAFFIC;
  const challengerTraffic =
    traffic === undefined || traffic.trim() === ''
      ? 0
      : checkShare('CHALLENGER_TRAFFIC', /^\s*[\d.]+\s*$/.test(traffic) ? Number(traffic) : NaN, traffic);
  let liveMetricsWindowMs = DEFAULT_LIVE_METRICS_WINDOW_MS;
  const window = env.LIVE_METRICS_WINDOW;
  if (window !== undefined && window.trim() !== '') {
    const parsed = parseDuration(window);
    if ('error' in parsed) throw new RangeError(`LIVE_METRICS_WINDOW: ${parsed.error}, got "${window}"`);
    if (!(parsed.ms > 0)) throw new RangeError(`LIVE_METRICS_WINDOW: must be longer than 0, got "${window}"`);
    liveMetricsWindowMs = parsed.ms;
  }
  return {
    challengerTraffic,
    liveMetricsWindowMs,
    liveMetricsIntervalMs: millisecondsFromEnv(
      env,
      'LIVE_METRICS_INTERVAL_MS',
      DEFAULT_LIVE_METRICS_INTERVAL_MS,
    ),
  };
}
