/**
 * `fraudwatch serve`: the HTTP service on the embedded store (or PostgreSQL with DATABASE_URL). On a store with no
 * keys yet it creates an admin key (first-admin-key.ts). Ctrl-C / SIGTERM close the server and the store cleanly.
 */
import type { Command } from 'commander';
import { SecretSealer } from '../webhooks/webhook-secrets.ts';
import { webhookSettingsFromEnv } from '../webhooks/webhook-settings.ts';
import { Webhooks } from '../webhooks/webhooks.ts';
import { buildApp } from '../api/app.ts';
import { readFileSync } from 'node:fs';
import type { JwtConfig } from '../api/auth.ts';
import { httpLimitsFromEnv } from '../api/request-limits.ts';
import { adminKeyHint, createFirstAdminKey } from './first-admin-key.ts';
import { openDecisionService, serviceEnvironment } from '../service/open-service.ts';
import { startSimulatedTraffic } from '../service/simulated-traffic.ts';
import { currencyOrExit, durationMs, positiveInt } from './options.ts';
import { listenFailure, settingsOrFail, StartupError } from './startup-failure.ts';
import { logLevelFromEnv, type LogLevel } from '../ops/log-level.ts';
import { liveModelSettingsFromEnv } from '../service/live-model-settings.ts';
import type { DecisionService } from '../service/decision-service.ts';
import { ModelTrainer } from '../service/model-trainer.ts';
import { RetrainScheduler } from '../service/retrain-scheduler.ts';
import { trainingSettingsFromEnv, type TrainingSettings } from './training-settings.ts';
import { caseSweepSettingsFromEnv, type CaseSweepSettings } from '../cases/case-settings.ts';

interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  models: boolean;
  simulate: number;
}

/**
 * JWT_SECRET (HS256) or JWT_JWKS_FILE (a JWKS of public keys), with optional JWT_ISSUER / JWT_AUDIENCE and
 * JWT_MAX_LIFETIME (a duration, default 24h).
 */
function jwtConfig(fail: (message: string) => never): JwtConfig | undefined {
  const issuer = process.env.JWT_ISSUER || undefined;
  const audience = process.env.JWT_AUDIENCE || undefined;
  let maxLifetimeSeconds: number | undefined;
  if (process.env.JWT_MAX_LIFETIME) {
    try {
      maxLifetimeSeconds = durationMs('JWT_MAX_LIFETIME')(process.env.JWT_MAX_LIFETIME) / 1000;
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const common = { issuer, audience, maxLifetimeSeconds };
  if (process.env.JWT_SECRET) return { secret: process.env.JWT_SECRET, ...common };
  const jwksFile = process.env.JWT_JWKS_FILE;
  if (jwksFile) {
    try {
      return { jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) as JwtConfig['jwks'], ...common };
    } catch (e) {
      fail(`JWT_JWKS_FILE ${jwksFile}: cannot read it as JSON (${(e as Error).message})`);
    }
  }
  return undefined;
}

/**
 * Training from the store (POST /api/v1/models/train) and its schedule: every serve on a store checks, the
 * store's claim lets one of them train. Returns the schedule's stop.
 */
function startTraining(service: DecisionService, settings: TrainingSettings): () => void {
  const models = service.models;
  if (models === null) return () => undefined;
  const trainer = new ModelTrainer(service.store, models, {
    labelDelayMs: settings.labelDelayMs,
    minFrauds: settings.policy.minLabels,
    defaultWindowMs: settings.windowMs,
    log: console.log,
  });
  service.trainer = trainer;
  const scheduler = new RetrainScheduler(service.store, trainer, {
    policy: settings.policy,
    windowMs: settings.windowMs,
    reviewThreshold: () => service.engine.decisionSettings.thresholds.review,
    log: console.log,
  });
  return scheduler.start(settings.checkEveryMs);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'run the HTTP API and the dashboard (embedded store in --data-dir, or PostgreSQL when DATABASE_URL is set; REDIS_URL shares account state; DEFAULT_CURRENCY and FRAUDWATCH_FX_RATES set currencies; RETRAIN_EVERY, RETRAIN_MIN_PRECISION and the other RETRAIN_* retrain the models from the store, as challengers). On a store without keys it creates an admin key: shown on a terminal, otherwise written to <data-dir>/admin-key.txt (mode 0600)',
    )
    .option(
      '--port <n>',
      'port to listen on (env PORT)',
      positiveInt('--port'),
      Number(process.env.PORT) || 8080,
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'embedded database directory (env FRAUDWATCH_DATA_DIR)',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    )
    .option('--no-models', 'decide on rules alone (no trained models)')
    .option(
      '--simulate <n>',
      'send N simulated transactions a second through the service (a demo source)',
      Number,
      0,
    )
    .action(async (opts: ServeOptions) => {
      if (!Number.isFinite(opts.simulate) || opts.simulate < 0)
        program.error('--simulate must be a number >= 0');
      const failStartup = (message: string): never => {
        throw new StartupError(message);
      };
      let logLevel: LogLevel;
      try {
        logLevel = logLevelFromEnv();
      } catch (e) {
        return failStartup((e as Error).message);
      }
      const jwt = jwtConfig(failStartup);
      let httpLimits;
      let liveModels;
      try {
        httpLimits = httpLimitsFromEnv();
        liveModels = liveModelSettingsFromEnv(process.env);
      } catch (e) {
        return failStartup((e as Error).message);
      }
      let training: TrainingSettings;
      let caseSweep: CaseSweepSettings;
      try {
        training = trainingSettingsFromEnv();
        caseSweep = caseSweepSettingsFromEnv(process.env);
      } catch (e) {
        return failStartup((e as Error).message);
      }
      const service = await openDecisionService({
        dataDir: opts.dataDir,
        models: opts.models,
        currency: currencyOrExit(program),
        liveModels,
        caseSweep,
        ...settingsOrFail(serviceEnvironment),
      });
      const store = service.store;
      let webhooks: Webhooks;
      try {
        webhooks = new Webhooks(service, SecretSealer.forProcess(opts.dataDir), webhookSettingsFromEnv());
      } catch (e) {
        return failStartup((e as Error).message);
      }
      const app = buildApp({
        service,
        webhookSecrets: webhooks.sealer,
        logger: logLevel === 'silent' ? false : { level: logLevel },
        rateLimitPerMinute: Number(process.env.RATE_LIMIT_PER_MINUTE) || undefined,
        anonymousRateLimitPerMinute: Number(process.env.RATE_LIMIT_ANONYMOUS_PER_MINUTE) || undefined,
        trustProxy: process.env.TRUST_PROXY
          ? process.env.TRUST_PROXY.split(',').map((p) => p.trim())
          : undefined,
        corsOrigins: process.env.CORS_ORIGINS
          ? process.env.CORS_ORIGINS.split(',').map((o) => o.trim())
          : undefined,
        jwt,
        httpLimits,
      });
      const firstKey = await createFirstAdminKey(store, opts.dataDir, process.stdout.isTTY === true);
      if (firstKey !== null) console.log(firstKey);
      else {
        const hint = await adminKeyHint(store, opts.dataDir, Date.now());
        if (hint !== null) console.log(hint);
      }
      let url: string;
      try {
        url = await app.listen({ port: opts.port, host: opts.host });
      } catch (e) {
        await app.close().catch(() => undefined);
        await service.caseSweep?.stop();
        await store.close();
        await service.sharedState?.close();
        throw listenFailure(e, opts.host, opts.port, '--port (env PORT)');
      }
      console.log(`fraudwatch listening on ${url} (store: ${store.kind}; API docs at ${url}/api/docs)`);
      webhooks.start();
      const stopSchedule = startTraining(service, training);
      const stopTraffic = opts.simulate > 0 ? startSimulatedTraffic(service, opts.simulate) : () => undefined;
      if (opts.simulate > 0) console.log(`sending ${opts.simulate} simulated transactions a second`);
      const stop = async (): Promise<void> => {
        stopTraffic();
        stopSchedule();
        await app.close();
        await service.caseSweep?.stop();
        await webhooks.stop();
        await store.close();
        await service.sharedState?.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
