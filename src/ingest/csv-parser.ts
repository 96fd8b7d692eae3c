/**
 * A streaming RFC 4180 CSV parser: feed it text chunks, it hands back complete records. Quoted fields may hold
 * commas, doubled quotes and line breaks. Each record carries the line it started on, for error messages.
 */

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** The previous chunk ended on a quote inside a quoted field: is it a doubled quote or the closing one? */
  private pendingQuote = false;
  private line = 1;
  private recordLine = 1;
  private fieldStarted = false;
  /** The previous chunk ended on a CR outside quotes: a LF opening this chunk belongs to it. */
  private afterCR = false;

  /** Parses a chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    const n = chunk.length;
    if (this.afterCR && n > 0) {
      this.afterCR = false;
      if (chunk.charCodeAt(0) === 10) i = 1;
    }
    if (this.pendingQuote && n > 0) {
      this.pendingQuote = false;
      if (chunk.charCodeAt(0) === 34) {
        this.field += '"';
        i = 1;
      } else {
        this.inQuotes = false;
      }
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          this.countLines(chunk, i, n);
          this.field += chunk.slice(i);
          return out;
        }
        this.countLines(chunk, i, q);
        this.field += chunk.slice(i, q);
        if (q + 1 >= n) {
          this.pendingQuote = true;
          return out;
        }
        if (chunk.charCodeAt(q + 1) === 34) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (c === 44) {
        this.fields.push(this.field);
        this.field = '';
        this.fieldStarted = true;
        i++;
      } else if (c === 10 || c === 13) {
        if (c === 13 && i + 1 < n && chunk.charCodeAt(i + 1) === 10) i++;
        else if (c === 13 && i + 1 === n) this.afterCR = true;
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        i++;
      } else if (c === 34 && this.field.length === 0) {
        this.inQuotes = true;
        this.fieldStarted = true;
        i++;
      } else {
        // Fast path: take the run up to the next delimiter at once.
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13) break;
          j++;
        }
        this.field += chunk.slice(i, j);
        this.fieldStarted = true;
        i = j;
      }
    }
    return out;
  }

  /** Completes the last record if the input did not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.inQuotes = false;
    }
    this.endRecord(out);
    return out;
  }

  /** The line the record being parsed started on (where an unclosed quote was opened). */
  get openRecordLine(): number {
    return this.recordLine;
  }

  /** True when the input ended inside a quoted field. */
  get unterminatedQuote(): boolean {
    return this.inQuotes;
  }

  private endRecord(out: CsvRecord[]): void {
    if (!this.fieldStarted && this.fields.length === 0 && this.field === '') return; // blank line
    this.fields.push(this.field);
    out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
    this.fieldStarted = false;
  }

  private countLines(chunk: string, from: number, to: number): void {
    for (let k = from; k < to; k++) if (chunk.charCodeAt(k) === 10) this.line++;
  }
}
