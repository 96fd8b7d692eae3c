/**
 * Writes `transaction_id,score,outcome` rows to a CSV file (gzip when the name ends in .gz), buffering
 * in memory in 1 MB blocks and honouring the stream's back-pressure at close.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';

const FLUSH_AT = 1 << 20;

/** The scores file cannot be created or written: the message names it and says why. */
export class ScoresWriteError extends Error {}

const writeFailure = (path: string, e: Error): ScoresWriteError =>
  new ScoresWriteError(`--scores-out ${path}: cannot write the file (${e.message})`);

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export class ScoresWriter {
  private buffer = 'transaction_id,score,outcome\n';
  private readonly file: WriteStream;
  private readonly sink: WriteStream | Gzip;
  private failure: Error | null = null;

  constructor(private readonly path: string) {
    // Opened here, synchronously, so that a path that cannot be written stops the backtest before it starts.
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (e) {
      throw writeFailure(path, e as Error);
    }
    this.file = createWriteStream(path, { fd });
    this.file.on('error', (e) => (this.failure = writeFailure(path, e)));
    if (path.endsWith('.gz')) {
      const gzip = createGzip();
      gzip.pipe(this.file);
      this.sink = gzip;
    } else {
      this.sink = this.file;
    }
  }

  write(transactionId: string, score: number, outcome: string): void {
    this.buffer += `${csvCell(transactionId)},${score.toFixed(6)},${outcome}\n`;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  async close(): Promise<void> {
    this.flush();
    this.sink.end();
    if (!this.file.closed)
      await once(this.file, 'close').catch((e: Error) => (this.failure ??= writeFailure(this.path, e)));
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    if (this.failure) throw this.failure;
    if (this.buffer.length > 0) this.sink.write(this.buffer);
    this.buffer = '';
  }
}
