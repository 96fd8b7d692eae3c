/**
 * `bench stream --with-ceiling`: the real pipeline, then `bench stream-ceiling --pg` with the same count, workers,
 * partitions and latency phase, in one run, so issue 18's stream targets are ratios a noisy machine cannot
 * decide: `tps_ratio_to_ceiling` (target ≥ 0.9) and `p99_ratio_to_ceiling` (target ≤ 2). The ceiling's own
 * figures come as `ceiling_*`.
 */
import { ratio } from './http.ts';
import { runStreamBench, type StreamBenchOptions } from './stream.ts';
import { runStreamCeilingBench } from './stream-ceiling.ts';

/** The batch size `bench stream` gives its workers. */
const PIPELINE_BATCH = 1000;

export async function runStreamWithCeilingBench(
  options: StreamBenchOptions,
): Promise<Record<string, unknown>> {
  const pipeline = await runStreamBench(options);
  const ceiling = await runStreamCeilingBench({
    count: options.count,
    workers: options.workers,
    partitions: options.partitions,
    batch: PIPELINE_BATCH,
    latencyRate: options.latencyRate,
    latencySeconds: options.latencySeconds,
    pg: true,
  });
  const { node, ...figures } = pipeline;
  return {
    ...figures,
    ceiling_tps: ceiling.tps,
    ceiling_p50_ms: ceiling.p50_ms,
    ceiling_p99_ms: ceiling.p99_ms,
    tps_ratio_to_ceiling: ratio(pipeline.tps, ceiling.tps),
    p99_ratio_to_ceiling: ratio(pipeline.p99_ms, ceiling.p99_ms),
    node,
  };
}
