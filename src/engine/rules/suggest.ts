/**
 * "Did you mean" for misspelt names: the closest candidate by edit distance, when it is close enough. The work
 * is bounded whatever the input: names longer than any sensible name get no suggestion, candidates whose length
 * alone rules them out are skipped, and the distance is computed only within a band of the allowed limit.
 */

/** Names longer than this get no suggestion (no field or list name comes near it). */
export const MAX_SUGGESTED_NAME_LENGTH = 64;
/** Edits a suggestion may be away from the name. */
const MAX_SUGGESTION_EDITS = 5;
/** Candidates looked at, at most (the catalog has about 60; documents have at most MAX_LISTS lists). */
const MAX_CANDIDATES = 1000;

/**
 * Levenshtein distance if it is at most `limit`, else `limit + 1`: only cells within `limit` of the diagonal
 * can stay within the limit, so each row costs O(limit) and the whole O(length × limit).
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (limit < 0 || Math.abs(a.length - b.length) > limit) return over;
  let prev = new Array<number>(b.length + 2).fill(over);
  let next = new Array<number>(b.length + 2).fill(over);
  for (let j = 0; j <= Math.min(b.length, limit); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    // The cells just outside the band are read by the next row: they must say "too far".
    next[from - 1] = from === 1 && i <= limit ? i : over;
    next[to + 1] = over;
    let rowMin = next[from - 1]!;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const d = Math.min(prev[j]! + 1, next[j - 1]! + 1, prev[j - 1]! + cost, over);
      next[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return over;
    [prev, next] = [next, prev];
  }
  return prev[b.length]!;
}

/**
 * "Did you mean" over one document: every suggestion draws on one budget of edit-distance cells, so a document
 * with many misspelt names costs a bounded amount of work in all (about a millisecond), however it is built.
 * Once the budget is spent, names get no suggestion.
 */
export class Suggester {
  constructor(private cells = 250_000) {}

  /** ` (did you mean "x"?)` or an empty string. */
  didYouMean(name: string, candidates: Iterable<string>): string {
    if (name.length > MAX_SUGGESTED_NAME_LENGTH) return '';
    const wanted = name.toLowerCase();
    // A third of the name, between 2 and MAX_SUGGESTION_EDITS: a name further off than that was not a typo.
    const limit = Math.min(MAX_SUGGESTION_EDITS, Math.max(2, Math.floor(name.length / 3)));
    let best = '';
    let bestDistance = limit + 1;
    let looked = 0;
    for (const c of candidates) {
      if (++looked > MAX_CANDIDATES) break;
      if (c.length > MAX_SUGGESTED_NAME_LENGTH || Math.abs(c.length - name.length) > limit) continue;
      const cost = name.length * (2 * limit + 1); // the band's cells, at most
      if (cost > this.cells) return '';
      this.cells -= cost;
      const d = boundedEditDistance(wanted, c.toLowerCase(), Math.min(limit, bestDistance - 1));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? ` (did you mean "${best}"?)` : '';
  }
}

/** ` (did you mean "x"?)` or an empty string, with a budget of its own. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  return new Suggester().didYouMean(name, candidates);
}
