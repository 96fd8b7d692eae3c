/**
 * The feature vectors the engine computed, kept with their timestamps and labels so models can be trained on
 * what the engine actually saw at scoring time (no look-ahead). Rows are appended in time order; rows older than
 * the retention are dropped in blocks, so memory stays bounded on long replays. Stored as Float32 to halve memory.
 */

/** Rows as flat typed arrays, so they can be handed to another thread without a copy (a transfer). */
export interface PackedRows {
  width: number;
  n: number;
  features: Float32Array;
  timestamps: Float64Array;
  /** 1 fraud, 0 legit, -1 unknown. */
  labels: Int8Array;
}

/** Appends rows into PackedRows, doubling the arrays as they fill. */
export class RowPacker {
  private rows: PackedRows;

  constructor(width: number, initialRows = 4096) {
    this.rows = {
      width,
      n: 0,
      features: new Float32Array(initialRows * width),
      timestamps: new Float64Array(initialRows),
      labels: new Int8Array(initialRows),
    };
  }

  get size(): number {
    return this.rows.n;
  }

  push(timestamp: number, row: Float64Array, label: 0 | 1 | null): void {
    if (this.rows.n === this.rows.timestamps.length) this.grow();
    const r = this.rows;
    r.features.set(row.subarray(0, r.width), r.n * r.width);
    r.timestamps[r.n] = timestamp;
    r.labels[r.n] = label === null ? -1 : label;
    r.n++;
  }

  /** The rows gathered, as views of their length (no copy: a transfer moves the whole buffers). */
  finish(): PackedRows {
    const r = this.rows;
    return {
      width: r.width,
      n: r.n,
      features: r.features.subarray(0, r.n * r.width),
      timestamps: r.timestamps.subarray(0, r.n),
      labels: r.labels.subarray(0, r.n),
    };
  }

  private grow(): void {
    const r = this.rows;
    const capacity = r.timestamps.length * 2;
    const features = new Float32Array(capacity * r.width);
    features.set(r.features);
    const timestamps = new Float64Array(capacity);
    timestamps.set(r.timestamps);
    const labels = new Int8Array(capacity);
    labels.set(r.labels);
    this.rows = { ...r, features, timestamps, labels };
  }
}

export class FeatureHistory {
  private features: Float32Array;
  private timestamps: Float64Array;
  private labels: Int8Array; // 1 fraud, 0 legit, -1 unknown
  private head = 0;
  private end = 0;

  constructor(
    readonly width: number,
    initialRows = 1024,
  ) {
    this.features = new Float32Array(initialRows * width);
    this.timestamps = new Float64Array(initialRows);
    this.labels = new Int8Array(initialRows);
  }

  /** A history of rows gathered newest first (a store's scan), put back in time order. */
  static fromNewestFirst(rows: PackedRows): FeatureHistory {
    const history = new FeatureHistory(rows.width, Math.max(1, rows.n));
    const { width } = rows;
    for (let i = 0; i < rows.n; i++) {
      const from = rows.n - 1 - i;
      history.features.set(rows.features.subarray(from * width, (from + 1) * width), i * width);
      history.timestamps[i] = rows.timestamps[from]!;
      history.labels[i] = rows.labels[from]!;
    }
    history.end = rows.n;
    return history;
  }

  get size(): number {
    return this.end - this.head;
  }

  push(timestamp: number, row: Float64Array, label: 0 | 1 | null): void {
    if (this.end === this.timestamps.length) this.makeRoom();
    this.features.set(row.subarray(0, this.width), this.end * this.width);
    this.timestamps[this.end] = timestamp;
    this.labels[this.end] = label === null ? -1 : label;
    this.end++;
  }

  /** Forgets rows with timestamp < cutoff. */
  dropBefore(cutoff: number): void {
    while (this.head < this.end && this.timestamps[this.head]! < cutoff) this.head++;
  }

  /**
   * Rows with timestamp in [from, to) and a known label, as a Float64 matrix. Legitimate rows are kept with
   * probability `keepNegative` (deterministic by position), so training sets of rare fraud stay small; the kept
   * share is returned so a caller can re-weight.
   */
  labelled(
    from: number,
    to: number,
    keepNegative: number,
    seed = 1,
  ): { X: Float64Array; y: Uint8Array; n: number } {
    const picked: number[] = [];
    let state = seed >>> 0 || 1;
    for (let i = this.head; i < this.end; i++) {
      const t = this.timestamps[i]!;
      if (t < from || t >= to) continue;
      const label = this.labels[i]!;
      if (label < 0) continue;
      if (label === 0 && keepNegative < 1) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        if ((state >>> 0) / 4294967296 >= keepNegative) continue;
      }
      picked.push(i);
    }
    return this.gather(picked);
  }

  /** Up to `max` rows with timestamp in [from, to), evenly spread, labels ignored (for unsupervised models). */
  sample(from: number, to: number, max: number): { X: Float64Array; n: number } {
    const inside: number[] = [];
    for (let i = this.head; i < this.end; i++) {
      const t = this.timestamps[i]!;
      if (t >= from && t < to) inside.push(i);
    }
    const step = Math.max(1, inside.length / max);
    const picked: number[] = [];
    for (let k = 0; k < inside.length && picked.length < max; k += step) picked.push(inside[Math.floor(k)]!);
    const { X, n } = this.gather(picked);
    return { X, n };
  }

  private gather(rows: number[]): { X: Float64Array; y: Uint8Array; n: number } {
    const X = new Float64Array(rows.length * this.width);
    const y = new Uint8Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      for (let c = 0; c < this.width; c++) X[r * this.width + c] = this.features[i * this.width + c]!;
      y[r] = this.labels[i]! > 0 ? 1 : 0;
    }
    return { X, y, n: rows.length };
  }

  private makeRoom(): void {
    const live = this.end - this.head;
    const capacity = this.timestamps.length;
    const nextCapacity = live * 2 > capacity ? capacity * 2 : capacity;
    const features = new Float32Array(nextCapacity * this.width);
    features.set(this.features.subarray(this.head * this.width, this.end * this.width));
    const timestamps = new Float64Array(nextCapacity);
    timestamps.set(this.timestamps.subarray(this.head, this.end));
    const labels = new Int8Array(nextCapacity);
    labels.set(this.labels.subarray(this.head, this.end));
    this.features = features;
    this.timestamps = timestamps;
    this.labels = labels;
    this.head = 0;
    this.end = live;
  }
}
