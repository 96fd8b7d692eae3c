/**
 * Feeds one partition's messages to a handler in order, a batch at a time: messages arrive through a
 * continuous pull (the server pushes up to `2 × batchSize` ahead), collect while the previous batch is being
 * decided, and go out together as the next batch. So a quiet stream is decided within milliseconds and a busy
 * one in full batches, with at most one batch per partition in the handler and a bounded buffer.
 */
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

export class PartitionPump {
  private buffer: JsMsg[] = [];
  private messages: ConsumerMessages | null = null;
  private working: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly consumer: Consumer,
    private readonly batchSize: number,
    private readonly handle: (batch: JsMsg[]) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    this.messages = await this.consumer.consume({
      max_messages: this.batchSize * 2,
      callback: (message) => {
        // Arrived after stop: handed straight back, so it is redelivered now rather than after the ack wait.
        if (this.stopping) return message.nak();
        this.buffer.push(message);
        if (this.working === null) this.working = this.drain();
      },
    });
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
    await this.messages?.close();
    while (this.working !== null) await this.working;
  }
}
