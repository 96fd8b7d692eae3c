/**
 * The server's side of the embedded store's writer thread: sends a batch, resolves when the thread has
 * committed it. The thread is referenced only while a batch is in flight, so an idle store never keeps the
 * process alive, and an awaited write always does.
 */
import type { Worker } from 'node:worker_threads';
import type { SqliteDurability } from './sqlite-connection.ts';
import type { InsertBatch, InsertOutcome } from './sqlite-insert.ts';
import type { CaseSweepOp, WriterReply, WriterRequest } from './sqlite-writer-thread.ts';
import { startThread } from './start-thread.ts';

interface Waiter {
  resolve: (reply: WriterReply) => void;
  reject: (error: Error) => void;
}

export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private seq = 0;
  private closing = false;
  private readonly exited: Promise<void>;
  /** Why the thread is gone, once it is: every later write fails with it. */
  failure: Error | null = null;

  constructor(path: string) {
    this.worker = startThread('sqlite-writer-thread', { path });
    this.worker.on('message', (reply: WriterReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.unref(); // after the listeners, which ref the thread's port again
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new Error(`the database writer thread exited (code ${code})`));
        resolve();
      }),
    );
  }

  async insert(batch: InsertBatch): Promise<InsertOutcome[]> {
    const reply = await this.send({ kind: 'insert', seq: ++this.seq, batch }, [
      batch.features.buffer as ArrayBuffer,
    ]);
    return reply.kind === 'inserted' ? reply.outcomes : [];
  }

  /** One of the case sweep's store writes, on the thread's connection (see sqlite-writer-thread.ts for why). */
  async sweep(op: CaseSweepOp, args: unknown[]): Promise<unknown> {
    const reply = await this.send({ kind: 'sweep', seq: ++this.seq, op, args });
    if (reply.kind !== 'swept') throw new Error('the writer thread answered something else');
    return reply.result;
  }

  /** The journal and sync settings of the thread's own connection (the one that commits decisions). */
  async durability(): Promise<SqliteDurability> {
    const reply = await this.send({ kind: 'durability', seq: ++this.seq });
    if (reply.kind !== 'durability') throw new Error('the writer thread answered something else');
    return reply.settings;
  }

  private send(request: WriterRequest & { seq: number }, transfer: ArrayBuffer[] = []): Promise<WriterReply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(request.seq, { resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  private settle(reply: WriterReply): void {
    const waiter = this.waiting.get(reply.seq);
    if (waiter === undefined) return;
    this.waiting.delete(reply.seq);
    if (this.waiting.size === 0 && !this.closing) this.worker.unref();
    if (reply.kind === 'failed') waiter.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    else waiter.resolve(reply);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }

  /** Lets the batches already sent finish, then closes the thread's connection. */
  async close(): Promise<void> {
    if (this.failure === null) {
      this.closing = true;
      this.worker.ref();
      this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    }
    await this.exited;
  }
}
