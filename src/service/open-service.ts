/**
 * Builds the DecisionService a process runs (serve or worker): the store from DATABASE_URL or the data dir, the
 * last stored decision settings and rules (followed when another process changes them), imported labels (followed
 * likewise), and the models (trained on simulated history at first start, then loaded); the engine's
 * state is rebuilt from the store in the background (state-rebuild.ts).
 */
import { join } from 'node:path';
import type { CurrencySettings } from '../engine/currency-settings.ts';
import { Engine } from '../engine/engine.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';
import { Metrics } from '../ops/metrics.ts';
import { RedisAccountState } from '../shared-state/redis-account-state.ts';
import { openStore } from '../store/open-store.ts';
import { bootstrapModels } from '../training/bootstrap-models.ts';
import { DecisionService } from './decision-service.ts';
import { DEFAULT_LIVE_METRICS_INTERVAL_MS } from './live-model-metrics.ts';
import type { LiveModelSettings } from './live-model-settings.ts';
import { ModelRegistry } from './model-registry.ts';

export interface OpenServiceOptions {
  dataDir: string;
  models: boolean;
  databaseUrl?: string;
  /** Share per-account feature state through this Redis (several workers and servers on one history). */
  redisUrl?: string;
  /** Key prefix in Redis (env FRAUDWATCH_REDIS_PREFIX). */
  redisPrefix?: string;
  /**
   * How often the settings, rules and model versions other processes put in force are looked for (env
   * FRAUDWATCH_FOLLOW_INTERVAL_MS; default FOLLOW_INTERVAL_MS).
   */
  followIntervalMs?: number;
  log?: (line: string) => void;
  /** DEFAULT_CURRENCY and the FX table (currencySettingsFromEnv); default: USD, no conversion. */
  currency?: CurrencySettings;
  /** CHALLENGER_TRAFFIC, LIVE_METRICS_WINDOW, LIVE_METRICS_INTERVAL_MS (liveModelSettingsFromEnv); defaults 0, 30d, 60 s. */
  liveModels?: Partial<LiveModelSettings>;
}

/** A change made through one process is in force in every other within about this long. */
export const FOLLOW_INTERVAL_MS = 2000;

/** Where the store and the shared state are, from the environment (DATABASE_URL, REDIS_URL, ...). */
export function serviceEnvironment(): Pick<
  OpenServiceOptions,
  'databaseUrl' | 'redisUrl' | 'redisPrefix' | 'followIntervalMs'
> {
  return {
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL || undefined,
    redisPrefix: process.env.FRAUDWATCH_REDIS_PREFIX,
    followIntervalMs: millisecondsFromEnv(process.env, 'FRAUDWATCH_FOLLOW_INTERVAL_MS', FOLLOW_INTERVAL_MS),
  };
}

export async function openDecisionService(options: OpenServiceOptions): Promise<DecisionService> {
  const log = options.log ?? console.log;
  const store = await openStore({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  // Verdicts given live carry their real time: no extra label delay.
  const engine = new Engine({ labelDelayMs: 0, now: Date.now, currency: options.currency });
  const followMs = options.followIntervalMs ?? FOLLOW_INTERVAL_MS;
  let registry: ModelRegistry | null = null;
  if (options.models) {
    const dir = join(options.dataDir, 'models');
    const boot = bootstrapModels(dir, log);
    engine.setModels(boot.slots);
    registry = new ModelRegistry(dir, engine, boot.loaded);
    // A version put in force by another process on this directory (the server, when this is a worker) is
    // followed within seconds.
    registry.follow(followMs, log);
  }
  const shared = options.redisUrl
    ? new RedisAccountState(engine.featureStore.accounts, {
        url: options.redisUrl,
        prefix: options.redisPrefix,
      })
    : null;
  const service = new DecisionService(engine, store, Date.now, 1000, new Metrics(), shared, {
    challengerTraffic: options.liveModels?.challengerTraffic,
    liveMetricsWindowMs: options.liveModels?.liveMetricsWindowMs,
  });
  service.models = registry;
  // The settings and rules in force are the last ones stored, so a restart keeps what analysts changed; those
  // another process (a server, a worker) changes are followed within followMs.
  await service.stored.load(log);
  service.stored.follow(followMs, log);
  // The live comparison of model versions (at the review threshold just loaded), recomputed from the store off
  // the request path on an unref'd timer.
  service.liveModels.start(options.liveModels?.liveMetricsIntervalMs ?? DEFAULT_LIVE_METRICS_INTERVAL_MS);
  // A process starts with empty windows: the history comes back from the store while traffic is served.
  const rebuild = service.startRebuild();
  // Labels imported later (`labels import`, another server's POST /api/v1/labels) reach this engine within
  // followMs; the feed starts where the rebuild's replay of them stopped.
  void rebuild.finishedPromise.then(() => service.labelFeed.follow(followMs, log));
  void rebuild.finishedPromise.then(() => {
    const p = rebuild.progress;
    if (p.state === 'done')
      log(
        `state rebuilt from the store: ${p.transactions} transactions, ${p.verdicts} verdicts and ${p.labels} imported labels in ${p.seconds.toFixed(1)} s`,
      );
    else console.error(`state rebuild failed (decisions stay marked degraded): ${p.error}`);
  });
  return service;
}
