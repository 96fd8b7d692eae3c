/**
 * Which transactions a challenger model decides in an A/B split: a stable hash of the transaction id, so a
 * retried or replayed transaction lands on the same side every time, in every process, without shared state.
 */

/** FNV-1a over the id's UTF-16 code units, mixed (murmur3's finaliser) and mapped to [0, 1). */
export function splitPoint(transactionId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < transactionId.length; i++) {
    h ^= transactionId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV alone leaves ids that differ in the last character close together; the finaliser spreads them.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Is this transaction in the challenger's share (0 ≤ share ≤ 1)? */
export function decidedByChallenger(transactionId: string, share: number): boolean {
  return share > 0 && splitPoint(transactionId) < share;
}
