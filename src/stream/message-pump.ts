/**
 * Feeds the messages of a worker's partitions to one handler, in arrival order, a batch at a time: messages
 * arrive through a continuous pull per partition (the server sends up to `2 × batchSize` ahead), collect while
 * the previous batch is being decided, and go out together as the next batch. So a quiet stream is decided
 * within milliseconds, a busy one in full batches (one store round trip for many messages), each partition's
 * messages stay in order, and the buffer is bounded.
 */
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

export class MessagePump {
  private buffer: JsMsg[] = [];
  private readonly pulls: ConsumerMessages[] = [];
  private working: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly consumers: Consumer[],
    private readonly batchSize: number,
    private readonly handle: (batch: JsMsg[]) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    for (const consumer of this.consumers) {
      this.pulls.push(
        await consumer.consume({
          max_messages: this.batchSize * 2,
          callback: (message) => {
            // Arrived after stop: handed straight back, so it is redelivered now rather than after the ack wait.
            if (this.stopping) return message.nak();
            this.buffer.push(message);
            if (this.working === null) this.working = this.drain();
          },
        }),
      );
    }
  }

  private async drain(): Promise<void> {
    // Let the messages that arrived in the same tick join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      try {
        await this.handle(batch);
      } catch {
        // The handler settles every message itself; an escape here leaves them to redelivery.
      }
    }
    this.working = null;
  }

  /** Stops pulling and waits until what was received has been handled. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.pulls.map((pull) => pull.close()));
    while (this.working !== null) await this.working;
  }
}
