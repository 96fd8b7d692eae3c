/**
 * Everything the engine remembers about one account: exact amount windows, what it has used before, where it
 * usually is. Memory bound (see docs/features.md): 16 bytes per transaction of the last 31 days (capped at
 * MAX_ACCOUNT_EVENTS) + 8 bytes per remembered value (at most 48) + 72 bytes of locations + fixed overhead.
 */
import { ACCOUNT_WINDOWS_MS } from './catalog.ts';
import { EventWindows } from './event-windows.ts';
import { SeenValues } from './seen-values.ts';
import { UsualLocations } from './usual-locations.ts';

/** Out-of-order transactions up to this late still see exact windows. */
export const ALLOWED_LATENESS_MS = 86_400_000;
export const MAX_ACCOUNT_EVENTS = 4096;
const RETENTION_MS = ACCOUNT_WINDOWS_MS[ACCOUNT_WINDOWS_MS.length - 1]! + ALLOWED_LATENESS_MS;

export class AccountState {
  windows: EventWindows;
  seen: SeenValues;
  locations: UsualLocations | null = null;
  firstTimestamp = NaN;
  lastTimestamp = NaN;
  total = 0;

  constructor(windows?: EventWindows, seen?: SeenValues) {
    this.windows = windows ?? new EventWindows(ACCOUNT_WINDOWS_MS, RETENTION_MS, MAX_ACCOUNT_EVENTS);
    this.seen = seen ?? new SeenValues();
  }

  /** Approximate bytes held, for the memory figure in the benchmark. */
  get approxBytes(): number {
    return 160 + this.windows.bufferBytes + this.seen.bufferBytes + (this.locations ? 120 : 0);
  }

  /** A plain-data copy for a shared store (Redis later); `restore` rebuilds an equal state. */
  snapshot(): AccountSnapshot {
    const w = this.windows.snapshot();
    return {
      events: w.events,
      latest: w.latest,
      seen: this.seen.snapshot(),
      locations: this.locations ? this.locations.centres.slice() : null,
      first_timestamp: this.firstTimestamp,
      last_timestamp: this.lastTimestamp,
      total: this.total,
    };
  }

  static restore(s: AccountSnapshot): AccountState {
    const state = new AccountState(
      EventWindows.restore(ACCOUNT_WINDOWS_MS, RETENTION_MS, MAX_ACCOUNT_EVENTS, {
        events: s.events,
        latest: s.latest,
      }),
      SeenValues.restore(s.seen),
    );
    state.locations = s.locations ? new UsualLocations(s.locations.slice()) : null;
    state.firstTimestamp = s.first_timestamp;
    state.lastTimestamp = s.last_timestamp;
    state.total = s.total;
    return state;
  }
}

export interface AccountSnapshot {
  events: Float64Array;
  latest: number;
  seen: Int32Array;
  locations: Float64Array | null;
  first_timestamp: number;
  last_timestamp: number;
  total: number;
}
