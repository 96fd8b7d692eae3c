/**
 * Every account's state, as one block per account in a word arena: exact amount windows (window-block.ts),
 * counters, usual locations, and the values it has used before at the block's tail. One Map lookup gives the
 * account's slot; one block holds all it needs, so a transaction costs few cache misses.
 *
 * Memory bound per account (docs/features.md): ~56 bytes of Map entry, slot and id, a 212-byte header, 8 bytes
 * per transaction of the last 31 days (capped at MAX_ACCOUNT_EVENTS), 8 bytes per remembered value (at most 48),
 * blocks rounded up to the next size class (+25 % at most). An account idle past every window is evicted
 * (`evictIdle`), so memory follows the active population.
 */
import { ACCOUNT_WINDOWS_MS } from './catalog.ts';
import { MAX_SEEN } from './seen-values.ts';
import { LOCATION_WORDS } from './usual-locations.ts';
import { offsetOf, WordArena } from './word-arena.ts';
import {
  blockWords,
  compactEvents,
  initWindows,
  liveEvents,
  setBlockWords,
  usedEventWords,
  windowLayout,
  type WindowLayout,
} from './window-block.ts';
import { readF64, writeF64 } from './word-codec.ts';

/** Out-of-order transactions up to this late still see exact windows. */
export const ALLOWED_LATENESS_MS = 86_400_000;
export const MAX_ACCOUNT_EVENTS = 4096;
const EXTRA_WORDS = 6 + LOCATION_WORDS;

export const ACCOUNT_LAYOUT: WindowLayout = windowLayout(
  ACCOUNT_WINDOWS_MS,
  ACCOUNT_WINDOWS_MS[ACCOUNT_WINDOWS_MS.length - 1]! + ALLOWED_LATENESS_MS,
  MAX_ACCOUNT_EVENTS,
  EXTRA_WORDS,
);
/** Word offsets of the account's own fields inside its block. */
export const A_TOTAL = ACCOUNT_LAYOUT.extra;
export const A_SEEN = ACCOUNT_LAYOUT.extra + 1;
export const A_FIRST = ACCOUNT_LAYOUT.extra + 2;
export const A_LAST = ACCOUNT_LAYOUT.extra + 4;
export const A_LOCATIONS = ACCOUNT_LAYOUT.extra + 6;
const INITIAL_BLOCK = ACCOUNT_LAYOUT.events + 2 * 4 + 2 * 4;

/** An account whose last transaction is this much older than the newest one seen has empty windows. */
export const ACCOUNT_IDLE_MS = ACCOUNT_LAYOUT.retentionMs;

export class AccountArena {
  private readonly arena = new WordArena();
  private readonly slots = new Map<string, number>();
  private refs = new Float64Array(1024);
  /** Slots handed out so far (live or freed). */
  private count = 0;
  /** Which account holds each slot (undefined: free), so a sweep can find the id of an idle slot. */
  private readonly ids: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private sweepAt = 0;

  get size(): number {
    return this.slots.size;
  }

  /** The account's slot, created empty on first use. */
  slot(accountId: string): number {
    let slot = this.slots.get(accountId);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.count++;
      this.slots.set(accountId, slot);
      this.ids[slot] = accountId;
      if (slot === this.refs.length) {
        const grown = new Float64Array(slot * 2);
        grown.set(this.refs);
        this.refs = grown;
      }
      this.place(slot, INITIAL_BLOCK);
    }
    return slot;
  }

  /**
   * Looks at the next `checks` slots (round robin) and evicts the accounts whose last transaction is before
   * `before`, or that never recorded one: their windows are empty. Cheap enough to call once per transaction,
   * which sweeps every slot once per `size` transactions. Returns how many were evicted.
   */
  evictIdle(before: number, checks: number): number {
    let evicted = 0;
    for (let i = 0; i < checks && this.count > 0; i++) {
      const slot = this.sweepAt;
      this.sweepAt = slot + 1 >= this.count ? 0 : slot + 1;
      const id = this.ids[slot];
      if (id === undefined) continue;
      const b = this.page(slot);
      const o = this.offset(slot);
      if (b[o + A_TOTAL]! > 0 && readF64(b, o + A_LAST) >= before) continue;
      this.arena.release(this.refs[slot]!, blockWords(b, o));
      this.slots.delete(id);
      this.ids[slot] = undefined;
      this.freeSlots.push(slot);
      evicted++;
    }
    return evicted;
  }

  /** The page holding the slot's block; valid until the next `makeRoom` on that slot. */
  page(slot: number): Uint32Array {
    return this.arena.page(this.refs[slot]!);
  }

  /** The block's word offset within its page. */
  offset(slot: number): number {
    return offsetOf(this.refs[slot]!);
  }

  /**
   * Ensures the block can take one more event and four new remembered values; compacts or moves the block to a
   * larger size class when not. Call before recording; re-read page/offset afterwards.
   */
  makeRoom(slot: number): void {
    const b = this.page(slot);
    const o = this.offset(slot);
    const seen = b[o + A_SEEN]!;
    // one event pair, up to four new values, the values already there
    const reserve = 2 + 2 * Math.min(4, MAX_SEEN - seen) + 2 * seen;
    if (usedEventWords(b, o, ACCOUNT_LAYOUT) + reserve <= blockWords(b, o)) return;
    compactEvents(b, o, ACCOUNT_LAYOUT);
    const required = usedEventWords(b, o, ACCOUNT_LAYOUT) + reserve;
    const size = blockWords(b, o);
    const liveWords = 2 * liveEvents(b, o);
    // Keep the block while compaction leaves room for half as many events again: compactions stay rare.
    if (required + (liveWords >> 1) <= size) return;
    this.move(slot, Math.max(required + (liveWords >> 1), size + (size >> 2)));
  }

  /** Copies the block into a new one of at least `words` words, keeping the tail entries at the tail. */
  private move(slot: number, words: number): void {
    const oldRef = this.refs[slot]!;
    const b = this.arena.page(oldRef);
    const o = offsetOf(oldRef);
    const oldSize = blockWords(b, o);
    const used = usedEventWords(b, o, ACCOUNT_LAYOUT);
    const tailWords = 2 * b[o + A_SEEN]!;
    const size = WordArena.blockSize(words);
    const ref = this.arena.alloc(size);
    const nb = this.arena.page(ref);
    const no = offsetOf(ref);
    nb.set(b.subarray(o, o + used), no);
    nb.set(b.subarray(o + oldSize - tailWords, o + oldSize), no + size - tailWords);
    setBlockWords(nb, no, size);
    this.arena.release(oldRef, oldSize);
    this.refs[slot] = ref;
  }

  private place(slot: number, words: number): void {
    const size = WordArena.blockSize(words);
    const ref = this.arena.alloc(size);
    const b = this.arena.page(ref);
    const o = offsetOf(ref);
    initWindows(b, o, size);
    writeF64(b, o + A_FIRST, NaN);
    writeF64(b, o + A_LAST, NaN);
    this.refs[slot] = ref;
  }

  /** A copy of the account's block, for a shared store; null for an unknown account. */
  snapshot(accountId: string): Uint32Array | null {
    const slot = this.slots.get(accountId);
    if (slot === undefined) return null;
    const b = this.page(slot);
    const o = this.offset(slot);
    return b.slice(o, o + blockWords(b, o));
  }

  /** Replaces (or creates) the account's state with a snapshot's. */
  restore(accountId: string, words: Uint32Array): void {
    const slot = this.slot(accountId);
    this.arena.release(this.refs[slot]!, blockWords(this.page(slot), this.offset(slot)));
    const size = WordArena.blockSize(words.length);
    const ref = this.arena.alloc(size);
    const b = this.arena.page(ref);
    const o = offsetOf(ref);
    b.set(words.subarray(0, words.length - 2 * words[A_SEEN]!), o);
    b.set(words.subarray(words.length - 2 * words[A_SEEN]!), o + size - 2 * words[A_SEEN]!);
    setBlockWords(b, o, size);
    this.refs[slot] = ref;
  }

  /** Does the arena hold a block for the account (a reset one included). */
  has(accountId: string): boolean {
    return this.slots.has(accountId);
  }

  /** Forgets everything about the account (an analyst's profile reset); false for an unknown account. */
  reset(accountId: string): boolean {
    const slot = this.slots.get(accountId);
    if (slot === undefined) return false;
    this.arena.release(this.refs[slot]!, blockWords(this.page(slot), this.offset(slot)));
    this.place(slot, INITIAL_BLOCK);
    return true;
  }

  /** Transactions recorded for the account (0 for an unknown one). */
  total(accountId: string): number {
    const slot = this.slots.get(accountId);
    return slot === undefined ? 0 : this.page(slot)[this.offset(slot) + A_TOTAL]!;
  }

  /** Bytes of live state: the blocks handed out plus ~56 bytes of Map entry, slot and id per account. */
  approxBytes(): number {
    return this.arena.allocatedWords * 4 + this.slots.size * (40 + 8 + 8);
  }

  /** Bytes held from the system: whole arena pages (free blocks left by growth included) plus the index. */
  reservedBytes(): number {
    return this.arena.reservedBytes + this.count * (40 + 8 + 8);
  }
}
