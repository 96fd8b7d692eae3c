/**
 * Writes `transaction_id,score,outcome` rows to a CSV file (gzip when the name ends in .gz), buffering
 * in memory in 1 MB blocks and honouring the stream's back-pressure at close.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';

const FLUSH_AT = 1 << 20;

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export class ScoresWriter {
  private buffer = 'transaction_id,score,outcome\n';
  private readonly file: WriteStream;
  private readonly sink: WriteStream | Gzip;
  private failure: Error | null = null;

  constructor(path: string) {
    this.file = createWriteStream(path);
    this.file.on('error', (e) => (this.failure = e));
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
    if (!this.file.closed) await once(this.file, 'close');
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    if (this.failure) throw this.failure;
    if (this.buffer.length > 0) this.sink.write(this.buffer);
    this.buffer = '';
  }
}
