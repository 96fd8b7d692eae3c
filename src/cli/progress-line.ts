/** A one-line progress display on a terminal (rows/s, percent, ETA); silent when stderr is not a TTY. */

export class ProgressLine {
  private readonly started = performance.now();
  readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly totalBytes: number,
    quiet: boolean,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(rows: number, bytesDone: number): void {
    if (!this.enabled) return;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = rows / Math.max(seconds, 1e-3);
    const fraction = this.totalBytes > 0 ? Math.min(1, bytesDone / this.totalBytes) : 0;
    const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const etaText = Number.isFinite(eta) ? `${Math.ceil(eta)}s` : '?';
    process.stderr.write(
      `\r${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s  ETA ${etaText}   `,
    );
  }

  done(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}
