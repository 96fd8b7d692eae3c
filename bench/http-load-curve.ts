/**
 * `bench http --load-curve 1000,2000,5000`: serve's CPU a request and p99 at several fixed rates, then the same
 * rates against the floor server (Fastify answering a constant), all driven by wrk and all in one run. It
 * answers issue 18's everyday-load targets where a single rate cannot: whether CPU a request stays flat as the
 * load falls (`cpu_ratio_lowest_to_highest_rate`, next to the floor's own `floor_cpu_ratio_lowest_to_highest_rate`,
 * which is what the machine allows), and p99 against the floor's p99 at each rate. Per rate the keys are
 * `r<rate>_*`; one JSON line per store.
 */
import { type StartedServer, ratio, startFloorServer, startServer, wrkPhase } from './http.ts';

export interface LoadCurveOptions {
  store: 'embedded' | 'postgres';
  /** Ascending after parsing; at least one. */
  rates: number[];
  seconds: number;
}

interface RateFigures {
  p50_ms: number;
  p99_ms: number;
  rps: number;
  errors: number;
  server_cpu_us_per_request: number | null;
}

async function stopServer(server: StartedServer): Promise<void> {
  server.child.kill('SIGINT');
  await new Promise((r) => server.child.once('exit', r));
  await server.cleanup();
}

/** One warm-up, then each rate in turn against the same server process. */
async function curve(server: StartedServer, rates: number[], seconds: number): Promise<RateFigures[]> {
  await wrkPhase(server, 2000, 5, false); // warm up the JIT and the store
  const figures: RateFigures[] = [];
  for (const rate of rates) {
    const r = await wrkPhase(server, rate, seconds, false);
    figures.push({
      p50_ms: r.p50_ms,
      p99_ms: r.p99_ms,
      rps: r.achieved_rps,
      errors: r.errors,
      server_cpu_us_per_request: r.server_cpu_us_per_request,
    });
  }
  return figures;
}

export async function runLoadCurveBench(options: LoadCurveOptions): Promise<Record<string, unknown>> {
  const rates = [...options.rates].sort((a, b) => a - b);
  const server = await startServer(options.store);
  let served: RateFigures[];
  try {
    served = await curve(server, rates, options.seconds);
  } finally {
    await stopServer(server);
  }
  // The floor runs after serve has stopped, so the two never share the cores.
  const floor = await startFloorServer();
  let floored: RateFigures[];
  try {
    floored = await curve(floor, rates, options.seconds);
  } finally {
    await stopServer(floor);
  }
  const line: Record<string, unknown> = {
    bench: 'http-load-curve',
    store: options.store,
    generator: 'wrk',
    rates,
    seconds: options.seconds,
  };
  rates.forEach((rate, i) => {
    const s = served[i]!;
    const f = floored[i]!;
    Object.assign(line, {
      [`r${rate}_p50_ms`]: s.p50_ms,
      [`r${rate}_p99_ms`]: s.p99_ms,
      [`r${rate}_rps`]: s.rps,
      [`r${rate}_errors`]: s.errors,
      [`r${rate}_server_cpu_us_per_request`]: s.server_cpu_us_per_request,
      [`r${rate}_floor_p50_ms`]: f.p50_ms,
      [`r${rate}_floor_p99_ms`]: f.p99_ms,
      [`r${rate}_floor_server_cpu_us_per_request`]: f.server_cpu_us_per_request,
      [`r${rate}_p99_ratio_to_floor`]: ratio(s.p99_ms, f.p99_ms),
      [`r${rate}_cpu_ratio_to_floor`]: ratio(s.server_cpu_us_per_request, f.server_cpu_us_per_request),
    });
  });
  const low = 0;
  const high = rates.length - 1;
  line.cpu_ratio_lowest_to_highest_rate = ratio(
    served[low]!.server_cpu_us_per_request,
    served[high]!.server_cpu_us_per_request,
  );
  line.floor_cpu_ratio_lowest_to_highest_rate = ratio(
    floored[low]!.server_cpu_us_per_request,
    floored[high]!.server_cpu_us_per_request,
  );
  line.node = process.version;
  return line;
}
