/**
 * What the engine remembers about one merchant (terminal): exact transaction counts over 1, 7 and 30 days, and
 * the labels it has learned of, all time and over the last 1, 7 and 30 days of learning.
 */
import { MERCHANT_WINDOWS_MS } from './catalog.ts';
import { EventWindows } from './event-windows.ts';
import { FraudAccounts } from './fraud-accounts.ts';

const DAY_MS = 86_400_000;
/** Windows over the time labels became known: 1, 7 and 30 days (the merchant_labels_* features). */
const LABEL_WINDOWS_MS = [DAY_MS, 7 * DAY_MS, 30 * DAY_MS] as const;
/** A busy terminal keeps at most this many timestamps; past it the 30-day count undercounts. */
export const MAX_MERCHANT_EVENTS = 1 << 20;

export class MerchantState {
  /** One event per transaction, value 1. */
  readonly traffic = new EventWindows(
    MERCHANT_WINDOWS_MS,
    MERCHANT_WINDOWS_MS[2] + DAY_MS,
    MAX_MERCHANT_EVENTS,
  );
  /** One event per label at the time it became known, value 1 for fraud and 0 for legitimate. */
  readonly labels = new EventWindows(LABEL_WINDOWS_MS, LABEL_WINDOWS_MS[2], MAX_MERCHANT_EVENTS);
  fraudLabels = 0;
  totalLabels = 0;
  /** When the latest fraud label became known (epoch ms); NaN before the first. */
  lastFraudKnownAt = NaN;
  /** The accounts behind the fraud labels, from the first one on (most merchants never get one). */
  fraudAccounts: FraudAccounts | null = null;

  get approxBytes(): number {
    return (
      200 +
      this.traffic.bufferBytes +
      this.labels.bufferBytes +
      (this.fraudAccounts === null ? 0 : FraudAccounts.bytes)
    );
  }
}
