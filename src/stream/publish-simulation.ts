/** `simulate --to nats://...`: simulated traffic published into the transactions stream (demos, load tests). */
import type { Transaction } from '../engine/transaction.ts';
import { simulate, type SimulatorOptions } from '../simulator/index.ts';
import { connectStream } from './nats-connection.ts';
import { streamConfigFromEnv } from './stream-config.ts';
import { publishTransactions } from './transaction-producer.ts';

export interface PublishSimulationOptions {
  url: string;
  rate: number;
  count?: number;
  simulation: SimulatorOptions;
}

function* take(options: SimulatorOptions, count: number | undefined): Generator<Transaction> {
  let n = 0;
  for (const { tx } of simulate(options)) {
    if (count !== undefined && n >= count) return;
    n++;
    yield tx;
  }
}

export async function publishSimulation(options: PublishSimulationOptions): Promise<number> {
  const config = { ...streamConfigFromEnv(), url: options.url };
  const stream = await connectStream(config);
  try {
    return await publishTransactions(stream.js, config, take(options.simulation, options.count), {
      rate: options.rate,
    });
  } finally {
    await stream.close();
  }
}
