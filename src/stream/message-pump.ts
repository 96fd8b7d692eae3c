/**
 * Feeds the messages of a worker's partitions to one handler, in arrival order, a batch at a time: messages
 * arrive through a continuous pull per partition (the server sends up to `2 × batchSize` ahead), collect while
 * the previous batch is being decided, and go out together as the next batch. So a quiet stream is decided
 * within milliseconds, a busy one in full batches (one store round trip for many messages), each partition's
 * messages stay in order, and the buffer is bounded.
 *
 * Partitions come and go while it runs (partition leases move them between workers): `remove` stops pulling one
 * and resolves once every message of it that arrived has been handled, so the next owner starts after this one
 * has finished.
 */
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';

interface Pull {
  messages: ConsumerMessages | null;
  /** Messages of this partition received and not yet handled (in the buffer or in the batch being handled). */
  outstanding: number;
  closing: boolean;
  /** Called when `outstanding` drops to 0 while closing. */
  settled: (() => void) | null;
}

export class MessagePump {
  private buffer: { message: JsMsg; pull: Pull }[] = [];
  private readonly pulls = new Map<number, Pull>();
  private working: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly batchSize: number,
    private readonly handle: (batch: JsMsg[]) => Promise<void>,
  ) {}

  /** The partitions being pulled now. */
  get partitions(): number[] {
    return [...this.pulls.keys()].sort((a, b) => a - b);
  }

  /** Starts pulling `partition` from its durable consumer. */
  async add(partition: number, consumer: Consumer): Promise<void> {
    if (this.stopping || this.pulls.has(partition)) return;
    const pull: Pull = { messages: null, outstanding: 0, closing: false, settled: null };
    this.pulls.set(partition, pull);
    pull.messages = await consumer.consume({
      max_messages: this.batchSize * 2,
      callback: (message) => {
        // Arrived after stop: handed straight back, so it is redelivered now rather than after the ack wait.
        if (this.stopping || pull.closing) return message.nak();
        pull.outstanding++;
        this.buffer.push({ message, pull });
        if (this.working === null) this.working = this.drain();
      },
    });
  }

  /** Stops pulling `partition` and resolves once the messages of it that arrived are handled. */
  async remove(partition: number): Promise<void> {
    const pull = this.pulls.get(partition);
    if (pull === undefined) return;
    pull.closing = true;
    const settled = new Promise<void>((resolve) => {
      if (pull.outstanding === 0) resolve();
      else pull.settled = resolve;
    });
    // On a broken connection closing fails; the pull is gone either way.
    await pull.messages?.close().catch(() => undefined);
    await settled;
    this.pulls.delete(partition);
  }

  private async drain(): Promise<void> {
    // Let the messages that arrived in the same tick join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.batchSize);
      try {
        await this.handle(batch.map((entry) => entry.message));
      } catch {
        // The handler settles every message itself; an escape here leaves them to redelivery.
      }
      for (const { pull } of batch) {
        pull.outstanding--;
        if (pull.outstanding === 0 && pull.settled !== null) pull.settled();
      }
    }
    this.working = null;
  }

  /** Stops pulling every partition and waits until what was received has been handled. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.partitions.map((p) => this.remove(p)));
    while (this.working !== null) await this.working;
  }
}
