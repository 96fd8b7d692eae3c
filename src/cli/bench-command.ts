/**
 * `fraudwatch bench engine|models|http|store|rebuild|startup|stream|stream-ceiling|accuracy`: benchmarks that print one
 * JSON line of figures (accuracy: one per dataset and system); not tests.
 */
import type { Command } from 'commander';
import type { StreamCeilingOptions } from '../../bench/stream-ceiling.ts';
import type { StreamBenchOptions } from '../../bench/stream.ts';
import { positiveInt } from './options.ts';

export function registerBenchCommand(program: Command): void {
  const bench = program
    .command('bench')
    .description('run a benchmark and print its figures as one JSON line');

  bench
    .command('engine')
    .description('score simulated traffic through features + rules + model on one thread')
    .option('--accounts <n>', 'simulated accounts', positiveInt('--accounts'), 100_000)
    .option('--days <n>', 'simulated days', positiveInt('--days'), 30)
    .option(
      '--transactions <n>',
      'stop after N transactions (default: the whole simulation)',
      positiveInt('--transactions'),
    )
    .option('--seed <n>', 'simulator seed', positiveInt('--seed'), 1)
    .option(
      '--models <which>',
      'trained (iforest + GBDT, trained first on other simulated data) or heuristic',
      'trained',
    )
    .option(
      '--challenger',
      'also score a challenger set (iforest + GBDT trained on another seed) in the shadow of every decision',
    )
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(
      async (opts: {
        accounts: number;
        days: number;
        transactions?: number;
        seed: number;
        models: string;
        challenger?: boolean;
      }) => {
        if (opts.models !== 'trained' && opts.models !== 'heuristic') {
          bench.error(`--models must be trained or heuristic, got "${opts.models}"`);
        }
        const { runEngineBench } = await import('../../bench/engine.ts');
        const { models, ...rest } = opts;
        console.log(
          JSON.stringify(
            runEngineBench({ ...rest, modelsLabel: models, transactions: opts.transactions ?? Infinity }),
          ),
        );
      },
    );

  bench
    .command('accuracy')
    .description(
      'replay labelled data through the full default system and each part alone; one JSON line per dataset and system',
    )
    .option(
      '--datasets <list>',
      'handbook, sim-small, sim-large (comma-separated)',
      'handbook,sim-small,sim-large',
    )
    .option('--systems <list>', 'full, gbdt, iforest, rules (comma-separated)', 'full,gbdt,iforest,rules')
    .option(
      '--handbook <file>',
      'the handbook file (default: ../shared/benchmarks/handbook/handbook_public.csv.gz)',
    )
    .option(
      '--seeds <n>',
      "trainer seeds per dataset and system; each row gives their means and each seed's figures",
      positiveInt('--seeds'),
      1,
    )
    .option('--json', 'print only the JSON lines (the default output is the same)')
    .action(async (opts: { datasets: string; systems: string; handbook?: string; seeds: number }) => {
      const { DATASETS, SYSTEMS, runAccuracyBench } = await import('../../bench/accuracy.ts');
      const list = <T extends string>(value: string, allowed: readonly T[], flag: string): T[] =>
        value.split(',').map((item) => {
          const name = item.trim();
          if (!(allowed as readonly string[]).includes(name)) {
            bench.error(`${flag}: unknown "${name}" (${allowed.join(', ')})`);
          }
          return name as T;
        });
      try {
        await runAccuracyBench({
          datasets: list(opts.datasets, DATASETS, '--datasets'),
          systems: list(opts.systems, Object.keys(SYSTEMS) as (keyof typeof SYSTEMS)[], '--systems'),
          ...(opts.handbook ? { handbook: opts.handbook } : {}),
          seeds: opts.seeds,
          print: (line) => console.log(line),
        });
      } catch (e) {
        bench.error(`bench accuracy: ${(e as Error).message}`);
      }
    });

  bench
    .command('models')
    .description('isolation forest and GBDT scoring speed, single-row latency, GBDT training time')
    .option('--rows <n>', 'rows to score', positiveInt('--rows'), 1_000_000)
    .option(
      '--train-rows <n>',
      'rows x 30 features to train the GBDT on',
      positiveInt('--train-rows'),
      1_000_000,
    )
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(async (opts: { rows: number; trainRows: number }) => {
      const { runModelsBench } = await import('../../bench/models.ts');
      console.log(JSON.stringify(runModelsBench(opts)));
    });

  bench
    .command('http')
    .description(
      'single POSTs at evenly spaced instants (open loop) and batch POSTs (autocannon) against a real serve process, then the same fixed phase against the floor server (floor_*, cpu_ratio_to_floor, p99_ratio_to_floor), one JSON line per store',
    )
    .option(
      '--store <which>',
      'embedded, postgres, both, or floor (Fastify answering a constant: what framework and generator cost)',
      'both',
    )
    .option('--rate <n>', 'requests a second for the fixed-rate phase', positiveInt('--rate'), 5000)
    .option('--seconds <n>', 'length of the fixed-rate phase', positiveInt('--seconds'), 30)
    .option(
      '--generator <which>',
      'who drives the single requests: node (the open-loop generator), wrk (Debian wrk 4.1, paced by bench/wrk-transactions.lua: its fixed phase as wrk_* and the same against the floor server as wrk_floor_*; no max-rate search or batches), or both',
      'node',
    )
    .option(
      '--load-curve <rates>',
      "instead: wrk at each of these rates (comma-separated, e.g. 1000,2000,5000) against serve, then against the floor server; per rate r<rate>_* (p99, server CPU a request, both ratios to the floor) and cpu_ratio_lowest_to_highest_rate beside the floor's own; --seconds a rate (embedded or postgres)",
    )
    .option(
      '--train-during',
      'instead: serve on a stored 30-day history, the fixed-rate load alone and then with POST /api/v1/models/train sent as it starts; p99 of both and the training time (embedded or postgres)',
      false,
    )
    .option('--json', 'print only the JSON lines (the default output is the same)')
    .action(
      async (opts: {
        store: string;
        rate: number;
        seconds: number;
        generator: string;
        trainDuring: boolean;
        loadCurve?: string;
      }) => {
        if (opts.loadCurve !== undefined) {
          const rates = opts.loadCurve.split(',').map((r) => Number(r.trim()));
          if (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r <= 0))
            return bench.error(
              `--load-curve must be positive whole rates separated by commas (got "${opts.loadCurve}")`,
            );
          const { wrkInstalled } = await import('../../bench/wrk-generator.ts');
          if (!wrkInstalled()) return bench.error('wrk is not installed (apt-get install -y wrk)');
          const { runLoadCurveBench } = await import('../../bench/http-load-curve.ts');
          for (const store of chosenStores(opts.store, ['embedded', 'postgres'], bench))
            console.log(
              JSON.stringify(
                await runLoadCurveBench({
                  store: store as 'embedded' | 'postgres',
                  rates,
                  seconds: opts.seconds,
                }),
              ),
            );
          return;
        }
        if (opts.trainDuring) {
          const { runHttpTrainingBench } = await import('../../bench/http-training.ts');
          for (const store of chosenStores(opts.store, ['embedded', 'postgres'], bench))
            console.log(
              JSON.stringify(
                await runHttpTrainingBench({
                  store: store as 'embedded' | 'postgres',
                  rate: opts.rate,
                  seconds: opts.seconds,
                }),
              ),
            );
          return;
        }
        const stores = chosenStores(opts.store, ['embedded', 'postgres', 'floor'], bench);
        const generators = ['node', 'wrk', 'both'] as const;
        const generator = generators.find((g) => g === opts.generator);
        if (generator === undefined) return bench.error(`--generator must be ${generators.join(', ')}`);
        const { runHttpBench } = await import('../../bench/http.ts');
        if (generator !== 'node') {
          const { wrkInstalled } = await import('../../bench/wrk-generator.ts');
          if (!wrkInstalled()) return bench.error('wrk is not installed (apt-get install -y wrk)');
        }
        for (const store of stores)
          console.log(
            JSON.stringify(await runHttpBench({ store, rate: opts.rate, seconds: opts.seconds, generator })),
          );
      },
    );

  bench
    .command('store')
    .description(
      'decisions committed a second by each store through saveDecisions, with nothing else running (no HTTP, no scoring), in batches of 1000 and of 10; one JSON line per store',
    )
    .option('--store <which>', 'embedded, postgres or both', 'both')
    .option('--rows <n>', 'decisions written per batch size', positiveInt('--rows'), 100_000)
    .option('--json', 'print only the JSON lines (the default output is the same)')
    .action(async (opts: { store: string; rows: number }) => {
      const stores = chosenStores(opts.store, ['embedded', 'postgres'], bench);
      const { runStoreBench } = await import('../../bench/store.ts');
      for (const store of stores)
        console.log(JSON.stringify(await runStoreBench({ store, rows: opts.rows })));
    });

  bench
    .command('startup')
    .description(
      'start-up time from the sources (tsx) and from the compiled build (dist/, npm run build first), back to back: --help until it exits, serve until it listens; medians',
    )
    .option('--runs <n>', 'starts of each kind', positiveInt('--runs'), 5)
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(async (opts: { runs: number }) => {
      const { runStartupBench } = await import('../../bench/startup.ts');
      try {
        console.log(JSON.stringify(await runStartupBench(opts.runs)));
      } catch (e) {
        bench.error(`bench startup: ${(e as Error).message}`);
      }
    });

  bench
    .command('rebuild')
    .description(
      'how long a restarted process takes to rebuild account and merchant state from N stored decisions (30 days)',
    )
    .option('--store <which>', 'embedded or postgres', 'embedded')
    .option('--rows <n>', 'stored decisions', positiveInt('--rows'), 1_000_000)
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(async (opts: { store: string; rows: number }) => {
      if (opts.store === 'both') bench.error('--store must be embedded or postgres');
      const [store] = chosenStores(opts.store, ['embedded', 'postgres'], bench);
      const { runRebuildBench } = await import('../../bench/rebuild.ts');
      console.log(JSON.stringify(await runRebuildBench({ store: store!, rows: opts.rows })));
    });

  streamLoadOptions(bench.command('stream'))
    .description(
      'NATS JetStream -> W worker processes -> PostgreSQL: throughput on a backlog, then latency at a steady rate',
    )
    .option('--count <n>', 'transactions in the throughput phase', positiveInt('--count'), 1_000_000)
    .option('--redis', 'workers share account state through Redis (REDIS_URL)', false)
    .option(
      '--with-ceiling',
      'then bench stream-ceiling --pg with the same options in the same run: ceiling_*, tps_ratio_to_ceiling, p99_ratio_to_ceiling',
      false,
    )
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(async (opts: StreamBenchOptions & { withCeiling: boolean }) => {
      if (opts.withCeiling) {
        const { runStreamWithCeilingBench } = await import('../../bench/stream-with-ceiling.ts');
        console.log(JSON.stringify(await runStreamWithCeilingBench(opts)));
        return;
      }
      const { runStreamBench } = await import('../../bench/stream.ts');
      console.log(JSON.stringify(await runStreamBench(opts)));
    });

  streamLoadOptions(bench.command('stream-ceiling'))
    .description(
      'bench stream without the scoring (workers parse, publish decisions, ack; --pg adds the batch INSERT): what NATS (+ PostgreSQL) allow here',
    )
    .option(
      '--count <n>',
      'transactions in the backlog and in the concurrent phase',
      positiveInt('--count'),
      1_000_000,
    )
    .option('--batch <n>', 'messages per worker batch (bench stream uses 1000)', positiveInt('--batch'), 1000)
    .option('--pg', "each batch also written to PostgreSQL (TEST_DATABASE_URL) by the store's INSERT", false)
    .option('--json', 'print only the JSON line (the default output is the same line)')
    .action(async (opts: StreamCeilingOptions) => {
      const { runStreamCeilingBench } = await import('../../bench/stream-ceiling.ts');
      console.log(JSON.stringify(await runStreamCeilingBench(opts)));
    });
}

/** The options both stream benchmarks take the same way: workers, partitions and the latency phase. */
function streamLoadOptions(command: Command): Command {
  return command
    .option('--workers <n>', 'worker processes', positiveInt('--workers'), 2)
    .option('--partitions <n>', 'transaction subjects', positiveInt('--partitions'), 8)
    .option(
      '--latency-rate <n>',
      'transactions a second in the latency phase',
      positiveInt('--latency-rate'),
      5000,
    )
    .option('--latency-seconds <n>', 'length of the latency phase', positiveInt('--latency-seconds'), 10);
}

/** The stores a `--store` value names: one of `choices`, or `both` for the embedded one and PostgreSQL. */
function chosenStores<S extends string>(value: string, choices: readonly S[], command: Command): S[] {
  if (value === 'both') return ['embedded', 'postgres'] as S[];
  if ((choices as readonly string[]).includes(value)) return [value as S];
  return command.error(`--store must be ${[...choices, 'both'].join(', ')}`);
}
