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
  ALLOWED_LATENESS_MS,
  type AccountArena,
} from './account-arena.ts';
import { F } from './catalog.ts';
import { FraudAccounts } from './fraud-accounts.ts';
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
import { addEvent, blockWords, maxValue, previousTimestamp, windowMax, windowStats } from './window-block.ts';
import { readF64, writeF64 } from './word-codec.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const WINDOW_24H = 1; // indices of the account windows
const WINDOW_7D = 2;
const WINDOW_30D = 3;
/** The habit window (t - 30d, t - 7d] spans 23 days. */
const HABIT_DAYS = 23;
/** A home city or country needs at least this many earlier uses. */
const HOME_MIN_USES = 3;
/** merchant_fraud_streak counts at most this many labels (and its scan reads at most one more). */
const MAX_FRAUD_STREAK = 255;
/** Two or three points make no spread to speak of: below this the z-score stays 0. */
const MIN_ZSCORE_HISTORY = 3;

const merchantScratch = new Float64Array(12);
const labelScratch = new Float64Array(12);
const tags = new Uint32Array(4);
const seen = new Uint32Array(6);

export function extractFeatures(
  tx: Transaction,
  /** The amount as features see it: `tx.amount`, or converted to a base currency (fx-rates.ts). */
  amount: number,
  accounts: AccountArena,
  slot: number,
  merchant: MerchantState | null,
  out: Float64Array,
  commit: boolean,
): void {
  const t = tx.timestamp;
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

  habitFeatures(amount, out);
  const habitMean = out[F.habitMean]!;
  out[F.max7dRatioHabit] = habitMean > 0 ? windowMax(b, o, ACCOUNT_LAYOUT, t, 7 * DAY_MS) / habitMean : 1;

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
  out[F.merchantUses] = tags[0] !== 0 ? seen[0]! : 0;

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
    // Labels are added when they become known, not at query times, so the starts move only as far as a
    // transaction may still arrive late; a query never walks more than that day of old labels.
    if (commit) merchant.labels.advanceTo(t - ALLOWED_LATENESS_MS);
    merchant.labels.stats(t, labelScratch, 0, false);
    out[F.merchantFraudRate] = (merchant.fraudLabels + 0.5) / (merchant.totalLabels + 50);
    out[F.merchantFraudRate30d] = (labelScratch[9]! + 0.5) / (labelScratch[8]! + 50);
    out[F.merchantLabels] = merchant.totalLabels;
    for (let k = 0; k < 3; k++) {
      const labels = labelScratch[4 * k]!;
      out[F.merchantLabelBase + 3 * k] = labels;
      out[F.merchantLabelBase + 3 * k + 1] = labelScratch[4 * k + 1]!;
      out[F.merchantLabelBase + 3 * k + 2] = labels > 0 ? labelScratch[4 * k + 2]! : 0;
    }
    const lastFraud = merchant.lastFraudKnownAt;
    out[F.merchantDaysSinceFraud] = lastFraud <= t ? (t - lastFraud) / DAY_MS : -1;
    if (merchant.fraudAccounts === null) {
      out[F.merchantFraudAccounts7d] = 0;
      out[F.merchantFraudAccounts30d] = 0;
      out[F.merchantFraudEpisodeDays] = -1;
    } else {
      const oldest = merchant.fraudAccounts.distinctTwo(
        t,
        7 * DAY_MS,
        30 * DAY_MS,
        out,
        F.merchantFraudAccounts7d,
      );
      out[F.merchantFraudEpisodeDays] = oldest === oldest ? (t - oldest) / DAY_MS : -1;
    }
    out[F.merchantFraudStreak] =
      merchant.fraudLabels === 0 ? 0 : merchant.labels.trailingRun(t, 30 * DAY_MS, 1, MAX_FRAUD_STREAK);
  } else {
    out[F.merchantCount1d] = 0;
    out[F.merchantCount7d] = 0;
    out[F.merchantCount30d] = 0;
    out[F.merchantFraudRate] = 0.01;
    out[F.merchantFraudRate30d] = 0.01;
    out[F.merchantLabels] = 0;
    for (let k = 0; k < 9; k++) out[F.merchantLabelBase + k] = 0;
    out[F.merchantDaysSinceFraud] = -1;
    out[F.merchantFraudAccounts7d] = 0;
    out[F.merchantFraudAccounts30d] = 0;
    out[F.merchantFraudStreak] = 0;
    out[F.merchantFraudEpisodeDays] = -1;
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

/**
 * Amount and pace against the habit window (t - 30d, t - 7d], derived from the 7- and 30-day window statistics
 * already in `out` (counts, sums and population deviations give the sums of squares), so it needs no state.
 */
function habitFeatures(amount: number, out: Float64Array): void {
  const w24 = F.windowBase + 4 * WINDOW_24H;
  const w7 = F.windowBase + 4 * WINDOW_7D;
  const w30 = F.windowBase + 4 * WINDOW_30D;
  const mean24 = out[w24 + 2]!;
  const mean7 = out[w7 + 2]!;
  out[F.ratioMean24h] = out[w24]! > 0 && mean24 > 0 ? amount / mean24 : 1;
  out[F.ratioMean7d] = out[w7]! > 0 && mean7 > 0 ? amount / mean7 : 1;
  const n30 = out[w30]!;
  const n7 = out[w7]!;
  const count = Math.max(0, n30 - n7);
  let mean = 0;
  let std = 0;
  if (count > 0) {
    const sum = out[w30 + 1]! - out[w7 + 1]!;
    const sd30 = out[w30 + 3]!;
    const sd7 = out[w7 + 3]!;
    const square = n30 * (sd30 * sd30 + out[w30 + 2]! ** 2) - n7 * (sd7 * sd7 + mean7 * mean7);
    mean = Math.max(0, sum / count);
    std = Math.sqrt(Math.max(0, square / count - mean * mean));
  }
  out[F.habitCount] = count;
  out[F.habitMean] = mean;
  out[F.ratioHabit] = mean > 0 ? amount / mean : 1;
  out[F.zscoreHabit] = count >= MIN_ZSCORE_HISTORY ? (amount - mean) / Math.max(std, mean * 0.1, 1) : 0;
  out[F.paceVsHabit] = (out[w24]! + 1) / (count / HABIT_DAYS + 1);
}

/**
 * Records a label that became known at `knownAt` (already past the label delay); `accountHash` is the
 * transaction's account (hashValue; 0 when unknown).
 */
export function applyMerchantLabel(
  merchant: MerchantState,
  fraud: boolean,
  knownAt: number,
  accountHash: number,
): void {
  merchant.labels.add(knownAt, fraud ? 1 : 0);
  merchant.totalLabels++;
  if (fraud) {
    merchant.fraudLabels++;
    if (!(knownAt <= merchant.lastFraudKnownAt)) merchant.lastFraudKnownAt = knownAt;
    (merchant.fraudAccounts ??= new FraudAccounts()).add(knownAt, accountHash);
  }
}
