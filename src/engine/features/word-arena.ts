/**
 * A paged arena of 32-bit words with size-classed free lists. Account states live here as blocks instead of as
 * objects with typed arrays of their own: with 100,000 accounts, every separate object is one more cache miss
 * per transaction and ~200 bytes of bookkeeping per account.
 *
 * A block is addressed by a ref = page * PAGE_WORDS + offset. Pages are allocated on demand, never moved.
 */

const PAGE_BITS = 20;
export const PAGE_WORDS = 1 << PAGE_BITS; // 4 MiB per page
const MIN_BLOCK = 32;

/** Block sizes grow by about 1.25x, rounded to 8 words, so a grown block wastes little. */
const SIZE_CLASSES: number[] = (() => {
  const out: number[] = [];
  for (let size = MIN_BLOCK; size < PAGE_WORDS; size = Math.ceil((size * 1.25) / 8) * 8) out.push(size);
  out.push(PAGE_WORDS);
  return out;
})();

export class WordArena {
  readonly pages: Uint32Array[] = [];
  private used = PAGE_WORDS; // words used in the last page; starts "full" so the first alloc opens a page
  private readonly free: number[][] = SIZE_CLASSES.map(() => []);
  private liveWords = 0;

  /** The size class a request of `words` is served from. */
  static blockSize(words: number): number {
    return SIZE_CLASSES[WordArena.classOf(words)]!;
  }

  private static classOf(words: number): number {
    let lo = 0;
    let hi = SIZE_CLASSES.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (SIZE_CLASSES[mid]! >= words) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Words handed out and not released (for memory figures). */
  get allocatedWords(): number {
    return this.liveWords;
  }

  /** Bytes of all pages. */
  get reservedBytes(): number {
    return this.pages.length * PAGE_WORDS * 4;
  }

  /** A zeroed block of at least `words` words; returns its ref. Its real size is `WordArena.blockSize(words)`. */
  alloc(words: number): number {
    const cls = WordArena.classOf(words);
    const size = SIZE_CLASSES[cls]!;
    this.liveWords += size;
    const recycled = this.free[cls]!.pop();
    if (recycled !== undefined) {
      const page = this.pages[Math.floor(recycled / PAGE_WORDS)]!;
      const at = recycled % PAGE_WORDS;
      page.fill(0, at, at + size);
      return recycled;
    }
    if (this.used + size > PAGE_WORDS) {
      this.pages.push(new Uint32Array(PAGE_WORDS));
      this.used = 0;
    }
    const ref = (this.pages.length - 1) * PAGE_WORDS + this.used;
    this.used += size;
    return ref;
  }

  release(ref: number, words: number): void {
    const cls = WordArena.classOf(words);
    this.liveWords -= SIZE_CLASSES[cls]!;
    this.free[cls]!.push(ref);
  }

  page(ref: number): Uint32Array {
    return this.pages[Math.floor(ref / PAGE_WORDS)]!;
  }
}

export function offsetOf(ref: number): number {
  return ref % PAGE_WORDS;
}
