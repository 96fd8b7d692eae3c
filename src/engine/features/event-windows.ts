/**
 * Exact sliding windows in a buffer of their own (merchants use these; accounts keep the same blocks in the
 * account arena). The algorithm lives in window-block.ts; this class owns the buffer and grows it.
 */
import {
  addEvent,
  advance,
  compactEvents,
  eventsOf,
  hasRoomForEvent,
  initWindows,
  latestTimestamp,
  liveEvents,
  maxValue,
  previousTimestamp,
  removeEvent,
  setBlockWords,
  trailingRun,
  windowLayout,
  windowStats,
  type WindowLayout,
} from './window-block.ts';

export class EventWindows {
  private buf: Uint32Array;
  private readonly layout: WindowLayout;

  constructor(lengths: readonly number[], retentionMs: number, maxEvents: number, initialCapacity = 4) {
    this.layout = windowLayout(lengths, retentionMs, maxEvents, 0);
    const words = this.layout.events + 2 * initialCapacity;
    this.buf = new Uint32Array(words);
    initWindows(this.buf, 0, words);
  }

  get size(): number {
    return liveEvents(this.buf, 0);
  }

  get latestTimestamp(): number {
    return latestTimestamp(this.buf, 0);
  }

  get bufferBytes(): number {
    return this.buf.byteLength;
  }

  /** Count, sum, mean, std per window as of t into out[base + 4k ..]; see windowStats. */
  stats(t: number, out: Float64Array, base: number, commit: boolean): void {
    windowStats(this.buf, 0, this.layout, t, out, base, commit);
  }

  /**
   * Moves the window starts to time t for good, for windows whose events are not added at query times (labels
   * are added when they become known): a later query at or after t then walks only what is newer.
   */
  advanceTo(t: number): void {
    advance(this.buf, 0, this.layout, t);
  }

  previousTimestamp(t: number): number {
    return previousTimestamp(this.buf, 0, this.layout, t);
  }

  maxValue(t: number, lengthMs: number): number {
    return maxValue(this.buf, 0, this.layout, t, lengthMs);
  }

  /** Events in a row with value v, newest at or before t back, within (t - lengthMs, t], at most cap. */
  trailingRun(t: number, lengthMs: number, v: number, cap: number): number {
    return trailingRun(this.buf, 0, this.layout, t, lengthMs, v, cap);
  }

  add(t: number, value: number): void {
    const L = this.layout;
    if (!hasRoomForEvent(this.buf, 0, L, this.buf.length)) {
      const capacity = (this.buf.length - L.events) / 2;
      if (liveEvents(this.buf, 0) * 2 <= capacity) {
        compactEvents(this.buf, 0, L);
      } else {
        compactEvents(this.buf, 0, L);
        const grown = new Uint32Array(L.events + 2 * (capacity + Math.max(4, capacity >> 1)));
        grown.set(this.buf);
        setBlockWords(grown, 0, grown.length);
        this.buf = grown;
      }
    }
    addEvent(this.buf, 0, L, t, value);
  }

  /** Takes back one event (t, value); false when none is held. */
  remove(t: number, value: number): boolean {
    return removeEvent(this.buf, 0, this.layout, t, value);
  }

  /** The live events as [ts, value, ...]. */
  events(): Float64Array {
    return eventsOf(this.buf, 0, this.layout);
  }
}
