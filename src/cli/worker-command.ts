/**
 * `fraudwatch worker`: decides transactions from NATS JetStream (the partitions this worker leases: taken
 * automatically, or the fixed `--index/--workers` share, docs/streaming.md), stores them
 * (PostgreSQL with DATABASE_URL, else the embedded store) and publishes the decisions. SIGTERM/SIGINT stop it
 * gracefully: no new fetches, the batch in hand finished and acknowledged, connections closed.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openDecisionService, serviceEnvironment } from '../service/open-service.ts';
import { flushEvents } from '../webhooks/outbox-writer.ts';
import { DEFAULT_LEASE_TTL_MS, PartitionLeases } from '../stream/partition-leases.ts';
import { ownedPartitions } from '../stream/stream-config.ts';
import { StreamWorker } from '../stream/stream-worker.ts';
import { DEFAULT_TUNING } from '../stream/topology.ts';
import { startWorkerHttp } from '../stream/worker-http.ts';
import { configOrExit, connectOrExit, currencyOrExit, durationOption, positiveInt } from './options.ts';
import { listenFailure, settingsOrFail, StartupError } from './startup-failure.ts';
import { logLevelFromEnv, logs, type LogLevel } from '../ops/log-level.ts';
import { liveModelSettingsFromEnv } from '../service/live-model-settings.ts';

interface WorkerCliOptions {
  dataDir: string;
  models: boolean;
  index?: number;
  workers?: number;
  leaseTtl: number;
  batch: number;
  maxAttempts: number;
  ackWait: number;
  port: number;
}

const fromEnv = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

function nonNegativeInt(option: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`${option} must be an integer >= 0, got "${value}"`);
    return n;
  };
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'decide transactions from NATS JetStream (env NATS_URL, FRAUDWATCH_PARTITIONS, FRAUDWATCH_STREAM_PREFIX, DATABASE_URL, REDIS_URL, DEFAULT_CURRENCY, FRAUDWATCH_FX_RATES)',
    )
    .option(
      '--data-dir <dir>',
      'embedded database directory when DATABASE_URL is not set',
      process.env.FRAUDWATCH_DATA_DIR ?? './data',
    )
    .option('--no-models', 'decide on rules alone (no trained models)')
    .option(
      '--index <i>',
      'fixed share instead of automatic leases: this worker is number i, from 0 (env WORKER_INDEX)',
      nonNegativeInt('--index'),
      fromEnv('WORKER_INDEX'),
    )
    .option(
      '--workers <n>',
      'fixed share: n workers, this one takes partitions p with p mod n = i; refused where another worker holds the lease (env WORKER_COUNT)',
      positiveInt('--workers'),
      fromEnv('WORKER_COUNT'),
    )
    .addOption(
      durationOption(
        '--lease-ttl <duration>',
        "a dead worker's partitions move to the others after this (set when the lease bucket is created)",
        DEFAULT_LEASE_TTL_MS,
      ),
    )
    .option('--batch <n>', 'messages pulled at a time', positiveInt('--batch'), 500)
    .option(
      '--max-attempts <n>',
      'deliveries before a failing message is dead-lettered',
      positiveInt('--max-attempts'),
      5,
    )
    .addOption(
      durationOption(
        '--ack-wait <duration>',
        'redelivery delay of an unacknowledged message (set when the consumers are created)',
        DEFAULT_TUNING.ackWaitMs,
      ),
    )
    .option('--port <n>', '/health and /metrics on this port (0: none)', nonNegativeInt('--port'), 9464)
    .action(async (opts: WorkerCliOptions) => {
      let logLevel: LogLevel;
      let liveModels;
      try {
        logLevel = logLevelFromEnv();
        liveModels = liveModelSettingsFromEnv(process.env);
      } catch (e) {
        throw new StartupError((e as Error).message);
      }
      const config = configOrExit();
      // Without --index/--workers, partitions are taken and handed over automatically through leases.
      const fixedShare = opts.index !== undefined || opts.workers !== undefined;
      let fixed: number[] | undefined;
      try {
        if (fixedShare) fixed = ownedPartitions(config.partitions, opts.index ?? 0, opts.workers ?? 1);
      } catch (e) {
        program.error(`--index/--workers: ${(e as Error).message}`);
      }
      const service = await openDecisionService({
        dataDir: opts.dataDir,
        models: opts.models,
        currency: currencyOrExit(program),
        liveModels,
        ...settingsOrFail(serviceEnvironment),
      });
      const stream = await connectOrExit(config, { ackWaitMs: opts.ackWait }).catch(async (e: unknown) => {
        await service.store.close();
        throw e;
      });
      const worker = new StreamWorker(stream.js, config, service, {
        batchSize: opts.batch,
        maxAttempts: opts.maxAttempts,
        // its lines are problems (a failed batch, a failed publish): warnings
        log: logs(logLevel, 'warn') ? (line) => console.error(line) : () => undefined,
      });
      // The port before the first fetch: a port in use stops the start before any message is taken.
      let http = null;
      try {
        http = opts.port > 0 ? await startWorkerHttp(worker, service, opts.port) : null;
      } catch (e) {
        await stream.close();
        await service.store.close();
        await service.sharedState?.close();
        throw listenFailure(e, '127.0.0.1', opts.port, 'worker --port');
      }
      let leases: PartitionLeases;
      try {
        leases = await PartitionLeases.open(stream.js, stream.jsm, config, worker, {
          ttlMs: opts.leaseTtl,
          fixed,
          log: (line) => console.error(line),
        });
        await leases.start();
      } catch (e) {
        http?.close();
        await stream.close();
        await service.store.close();
        await service.sharedState?.close();
        program.error(`--index/--workers: ${(e as Error).message}`);
      }
      if (service.sharedState === null && !fixedShare)
        console.error(
          "without REDIS_URL each worker keeps its own account state: a partition that moves to another worker starts there without its accounts' history (set REDIS_URL when running several workers)",
        );
      const share = fixed
        ? `partitions ${fixed.join(',')} (fixed, worker ${opts.index ?? 0} of ${opts.workers ?? 1})`
        : `partitions by lease (now ${leases.partitions.join(',') || 'none'})`;
      console.log(
        `fraudwatch worker ${leases.workerId}: ${share} of ${config.prefix} at ${config.url} (store: ${service.store.kind}${http ? `; health on :${opts.port}` : ''})`,
      );
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        // Pulling stops at once (what was received is settled), then the leases are freed for the others: in the
        // other order the partitions go on pulling while the leases are released one by one.
        await worker.stop();
        await leases.stop();
        http?.close();
        await stream.close();
        await flushEvents(service.events);
        await service.store.close();
        await service.sharedState?.close();
        console.log(`stopped: ${JSON.stringify(worker.stats)}`);
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
