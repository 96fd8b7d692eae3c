/** Connects to NATS and returns the JetStream client and manager, with the topology in place. */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { serverHasStreamMetadata } from './partition-count.ts';
import { ensureTopology, type ConsumerTuning } from './topology.ts';
import type { StreamConfig } from './stream-config.ts';

export interface StreamConnection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function connectStream(
  config: StreamConfig,
  tuning?: ConsumerTuning,
): Promise<StreamConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: config.url,
      name: 'fraudwatch',
      maxReconnectAttempts: -1,
      // Otherwise the client builds two Error objects per request (every acknowledged publish) only to keep their
      // async stack traces: 11 % of a profiled worker's time, plus the garbage. Errors keep their messages.
      noAsyncTraces: true,
    });
  } catch (e) {
    throw new Error(`NATS at ${config.url} is unreachable: ${(e as Error).message}`, { cause: e });
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, config, tuning, serverHasStreamMetadata(nc.info?.version));
    return { nc, js: jetstream(nc), jsm, close: () => nc.drain() };
  } catch (e) {
    // A refused configuration (another partition count) must not leave the connection keeping the process alive.
    await nc.close();
    throw e;
  }
}
