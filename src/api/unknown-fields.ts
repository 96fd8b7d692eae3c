/**
 * Names a request gives that the API does not know (a body field, a query parameter), each refused with the
 * nearest known name, by the same "did you mean" as rule validation uses: a typo must not pass as a no-op.
 */
import type { FieldError } from '../engine/transaction.ts';
import { Suggester } from '../engine/rules/suggest.ts';

/** Known names listed in full when none is near the unknown one, up to this many. */
const MAX_LISTED = 16;
/** Unknown names reported per object, at most (the rest would say nothing new). */
const MAX_REPORTED = 20;

const NONE: readonly FieldError[] = Object.freeze([]);

/** `transactions[3]` + `amount` -> `transactions[3].amount`; either part empty leaves the other alone. */
export const joinPath = (prefix: string, name: string): string =>
  prefix === '' ? name : name === '' ? prefix : `${prefix}.${name}`;

/**
 * One error per key of `record` that `known` does not hold, at `prefix.key`; `what` is the kind of name
 * ("field", "query parameter"). An empty list when every key is known (nothing is allocated then).
 */
export function unknownNameErrors(
  record: object,
  known: ReadonlySet<string>,
  prefix = '',
  what = 'field',
): readonly FieldError[] {
  let errors: FieldError[] | null = null;
  let suggester: Suggester | null = null;
  for (const key of Object.keys(record)) {
    if (known.has(key)) continue;
    errors ??= [];
    if (errors.length >= MAX_REPORTED) break;
    suggester ??= new Suggester();
    const hint = suggester.didYouMean(key, known);
    const listed =
      hint !== ''
        ? hint
        : known.size === 0
          ? ' (none is taken here)'
          : known.size <= MAX_LISTED
            ? ` (known: ${[...known].join(', ')})`
            : '';
    const name = key.length > 64 ? `${key.slice(0, 64)}...` : key;
    errors.push({ path: joinPath(prefix, name), message: `unknown ${what}${listed}` });
  }
  return errors ?? NONE;
}
