/**
 * Computes the feature vector of a transaction from the account's and merchant's state, and (when committing)
 * records the transaction into that state. One pass, no allocation: the caller owns `out`.
 */
import type { Transaction } from '../transaction.ts';
import {
  A_FIRST,
  A_LAST,
  A_LOCATIONS,
  A_SEEN,
  A_TOTAL,
  ACCOUNT_LAYOUT,
  type AccountArena,
} from './account-arena.ts';
import { F } from './catalog.ts';
import type { MerchantState } from './merchant-state.ts';
import {
  hashValue,
  hashValueIgnoringCase,
  recordSeen,
  scanSeen,
  SEEN_CITY,
  SEEN_COUNTRY,
  SEEN_DEVICE,
  SEEN_MERCHANT,
  tagged,
} from './seen-values.ts';
import { distanceFromUsual, recordLocation } from './usual-locations.ts';
import { addEvent, blockWords, maxValue, previousTimestamp, windowStats } from './window-block.ts';
import { readF64, writeF64 } from './word-codec.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const WINDOW_30D = 3; // index of the 30-day window among the account windows
/** A home city or country needs at least this many earlier uses. */
const HOME_MIN_USES = 3;
/** Two or three points make no spread to speak of: below this the z-score stays 0. */
const MIN_ZSCORE_HISTORY = 3;

const merchantScratch = new Float64Array(12);
const labelScratch = new Float64Array(4);
const tags = new Uint32Array(4);
const seen = new Uint32Array(6);

export function extractFeatures(
  tx: Transaction,
  accounts: AccountArena,
  slot: number,
  merchant: MerchantState | null,
  out: Float64Array,
  commit: boolean,
): void {
  const t = tx.timestamp;
  const amount = tx.amount;
  let b = accounts.page(slot);
  let o = accounts.offset(slot);
  const total = b[o + A_TOTAL]!;
  out[F.amount] = amount;
  out[F.amountLog] = Math.log1p(amount);

  windowStats(b, o, ACCOUNT_LAYOUT, t, out, F.windowBase, commit);
  const base30 = F.windowBase + 4 * WINDOW_30D;
  const count30 = out[base30]!;
  const mean30 = out[base30 + 2]!;
  const std30 = out[base30 + 3]!;
  if (count30 > 0) {
    out[F.zscore30d] =
      count30 >= MIN_ZSCORE_HISTORY ? (amount - mean30) / Math.max(std30, mean30 * 0.1, 1) : 0;
    out[F.ratioMean30d] = mean30 > 0 ? amount / mean30 : 1;
    const max30 = maxValue(b, o, ACCOUNT_LAYOUT, t, 30 * DAY_MS);
    out[F.ratioMax30d] = max30 > 0 ? amount / max30 : 1;
  } else {
    out[F.zscore30d] = 0;
    out[F.ratioMean30d] = 1;
    out[F.ratioMax30d] = 1;
  }

  if (total === 0) {
    out[F.secondsSinceLast] = -1;
  } else {
    const last = readF64(b, o + A_LAST);
    const previous = t >= last ? last : previousTimestamp(b, o, ACCOUNT_LAYOUT, t);
    out[F.secondsSinceLast] = Number.isNaN(previous) ? -1 : (t - previous) / 1000;
  }
  out[F.txTotal] = total;
  out[F.ageDays] = total > 0 ? Math.max(0, (t - readF64(b, o + A_FIRST)) / DAY_MS) : 0;

  tags[0] = tx.merchant_id === undefined ? 0 : tagged(hashValue(tx.merchant_id), SEEN_MERCHANT);
  tags[1] = tx.device_id === undefined ? 0 : tagged(hashValue(tx.device_id), SEEN_DEVICE);
  tags[2] = tx.country === undefined ? 0 : tagged(hashValue(tx.country), SEEN_COUNTRY);
  tags[3] = tx.city === undefined ? 0 : tagged(hashValueIgnoringCase(tx.city), SEEN_CITY);
  scanSeen(b, o + blockWords(b, o), b[o + A_SEEN]!, tags, HOME_MIN_USES, seen);
  const hasHistory = total > 0;
  out[F.newMerchant] = hasHistory && tags[0] !== 0 && seen[0] === 0 ? 1 : 0;
  out[F.newDevice] = hasHistory && tags[1] !== 0 && seen[1] === 0 ? 1 : 0;
  out[F.newCountry] = hasHistory && tags[2] !== 0 && seen[2] === 0 ? 1 : 0;
  out[F.newCity] = hasHistory && tags[3] !== 0 && seen[3] === 0 ? 1 : 0;
  out[F.outsideHomeCity] = tags[3] !== 0 && seen[4] !== 0 && seen[4] !== tags[3] ? 1 : 0;
  out[F.outsideHomeCountry] = tags[2] !== 0 && seen[5] !== 0 && seen[5] !== tags[2] ? 1 : 0;

  const hasPlace = tx.latitude !== undefined && tx.longitude !== undefined;
  out[F.distanceKm] = hasPlace ? distanceFromUsual(b, o + A_LOCATIONS, tx.latitude!, tx.longitude!) : -1;

  const msOfDay = ((t % DAY_MS) + DAY_MS) % DAY_MS;
  const hour = Math.floor(msOfDay / HOUR_MS);
  const weekday = (Math.floor(t / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  out[F.hour] = hour;
  out[F.night] = hour < 6 ? 1 : 0;
  out[F.weekend] = weekday === 0 || weekday === 6 ? 1 : 0;

  if (merchant !== null) {
    merchant.traffic.stats(t, merchantScratch, 0, commit);
    out[F.merchantCount1d] = merchantScratch[0]!;
    out[F.merchantCount7d] = merchantScratch[4]!;
    out[F.merchantCount30d] = merchantScratch[8]!;
    merchant.labels.stats(t, labelScratch, 0, false);
    out[F.merchantFraudRate] = (merchant.fraudLabels + 0.5) / (merchant.totalLabels + 50);
    out[F.merchantFraudRate30d] = (labelScratch[1]! + 0.5) / (labelScratch[0]! + 50);
    out[F.merchantLabels] = merchant.totalLabels;
  } else {
    out[F.merchantCount1d] = 0;
    out[F.merchantCount7d] = 0;
    out[F.merchantCount30d] = 0;
    out[F.merchantFraudRate] = 0.01;
    out[F.merchantFraudRate30d] = 0.01;
    out[F.merchantLabels] = 0;
  }

  if (!commit) return;
  accounts.makeRoom(slot);
  b = accounts.page(slot);
  o = accounts.offset(slot);
  addEvent(b, o, ACCOUNT_LAYOUT, t, amount);
  b[o + A_SEEN] = recordSeen(b, o + blockWords(b, o), b[o + A_SEEN]!, tags);
  if (hasPlace) recordLocation(b, o + A_LOCATIONS, tx.latitude!, tx.longitude!);
  if (total === 0 || t < readF64(b, o + A_FIRST)) writeF64(b, o + A_FIRST, t);
  if (total === 0 || t > readF64(b, o + A_LAST)) writeF64(b, o + A_LAST, t);
  b[o + A_TOTAL] = total + 1;
  if (merchant !== null) merchant.traffic.add(t, 1);
}

/** Records a label that became known at `knownAt` (already past the label delay). */
export function applyMerchantLabel(merchant: MerchantState, fraud: boolean, knownAt: number): void {
  merchant.labels.add(knownAt, fraud ? 1 : 0);
  merchant.totalLabels++;
  if (fraud) merchant.fraudLabels++;
}
