/**
 * Builds the DecisionService a process runs (serve or worker): the store from DATABASE_URL or the data dir, the
 * last stored decision settings and rules (followed when another process changes them), imported labels (followed
 * likewise), and the model versions with their stages (model-registry.ts: trained on simulated history at the
 * very first start, registered from the models directory, followed through the store); the engine's state is
 * rebuilt from the store in the background (state-rebuild.ts).
 */
import { join } from 'node:path';
import type { CurrencySettings } from '../engine/currency-settings.ts';
import { Engine } from '../engine/engine.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';
import { Metrics } from '../ops/metrics.ts';
import { RedisAccountState } from '../shared-state/redis-account-state.ts';
import { openStore } from '../store/open-store.ts';
import { trainFirstModels } from '../training/bootstrap-models.ts';
import {
  AUTO_PROMOTE_CHECK_MS,
  autoPromotionFromEnv,
  DEFAULT_AUTO_PROMOTE_MIN_LABELS,
  type AutoPromotionSettings,
} from './auto-promotion.ts';
import { DecisionService } from './decision-service.ts';
import { DEFAULT_LIVE_METRICS_INTERVAL_MS } from './live-model-metrics.ts';
import type { LiveModelSettings } from './live-model-settings.ts';
import { ModelRegistry } from './model-registry.ts';
import { OutboxWriter } from '../webhooks/outbox-writer.ts';
import { CaseSweep } from '../cases/case-sweep.ts';
import type { CaseSweepSettings } from '../cases/case-settings.ts';

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
  /** AUTO_PROMOTE and AUTO_PROMOTE_MIN_LABELS (default: off). */
  autoPromotion?: AutoPromotionSettings;
  /** DEFAULT_CURRENCY and the FX table (currencySettingsFromEnv); default: USD, no conversion. */
  currency?: CurrencySettings;
  /** CHALLENGER_TRAFFIC, LIVE_METRICS_WINDOW, LIVE_METRICS_INTERVAL_MS (liveModelSettingsFromEnv); defaults 0, 30d, 60 s. */
  liveModels?: Partial<LiveModelSettings>;
  /** Sweep flagged decisions into account cases (serve: CASE_WINDOW, CASE_SWEEP_MS); absent: no sweep. */
  caseSweep?: CaseSweepSettings;
}

/** A change made through one process is in force in every other within about this long. */
export const FOLLOW_INTERVAL_MS = 2000;

/** Where the store and the shared state are, from the environment (DATABASE_URL, REDIS_URL, ...). */
export function serviceEnvironment(): Pick<
  OpenServiceOptions,
  'databaseUrl' | 'redisUrl' | 'redisPrefix' | 'followIntervalMs' | 'autoPromotion'
> {
  return {
    autoPromotion: autoPromotionFromEnv(process.env),
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
  const service = new DecisionService(
    engine,
    store,
    Date.now,
    1000,
    new Metrics(),
    options.redisUrl
      ? new RedisAccountState(engine.featureStore.accounts, {
          url: options.redisUrl,
          prefix: options.redisPrefix,
        })
      : null,
    {
      challengerTraffic: options.liveModels?.challengerTraffic,
      liveMetricsWindowMs: options.liveModels?.liveMetricsWindowMs,
    },
  );
  // Decisions, verdicts and labels are announced through the store's webhook outbox (serve sends it).
  service.events = new OutboxWriter(store);
  if (options.models) {
    const dir = join(options.dataDir, 'models');
    // The very first start (the store knows no model version, none is in the directory) trains a first pair.
    if ((await store.listModelVersions()).length === 0) trainFirstModels(dir, log);
    const promotion = options.autoPromotion ?? { enabled: false, minLabels: DEFAULT_AUTO_PROMOTE_MIN_LABELS };
    const registry = await ModelRegistry.open({
      dir,
      engine,
      store,
      log,
      challengerTraffic: service.challengerTraffic,
      autoPromote: promotion.enabled,
    });
    // Stage changes made through any process (the server, when this is a worker) are followed within followMs.
    registry.follow(followMs);
    if (promotion.enabled)
      registry.startAutoPromotion(AUTO_PROMOTE_CHECK_MS, promotion.minLabels, () =>
        service.liveModels.latest(),
      );
    service.models = registry;
  }
  // The settings and rules in force are the last ones stored, so a restart keeps what analysts changed; those
  // another process (a server, a worker) changes are followed within followMs.
  await service.stored.load(log);
  service.stored.follow(followMs, log);
  // Rule snoozes the same way: in force from the start, other processes' followed within followMs.
  await service.snoozes.load();
  service.snoozes.follow(followMs, log);
  // Account cases: flagged decisions grouped, routed and assigned by a sweep on an unref'd timer, off the
  // decision path; serve stops it before the store closes.
  if (options.caseSweep !== undefined) {
    service.caseSweep = new CaseSweep(service, { ...options.caseSweep, log });
    service.caseSweep.start();
  }
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
