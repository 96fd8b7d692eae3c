/**
 * How large a rules document may be. Each bound is far above any real rule set (the shipped one is 6 KB with 17
 * rules) and keeps validating and compiling a hostile document to a few milliseconds.
 */
export const RULES_LIMITS = Object.freeze({
  /** Characters of the document as JSON. */
  documentChars: 256 * 1024,
  rules: 1000,
  lists: 100,
  /** Values in one list. */
  listValues: 20_000,
  /** Values in one `in` / `not_in` condition. */
  inlineValues: 1000,
  /** Condition objects (groups, `not` and leaves) in one rule. */
  conditionsPerRule: 256,
  /** Levels of all / any / not. */
  depth: 16,
  /** The document's version, list names, field and list references. */
  nameChars: 128,
  /** A value compared with or listed. */
  valueChars: 256,
  /** Descriptions and reasons. */
  textChars: 1000,
  /** Problems reported; past it the report says there are more. */
  errors: 100,
});
