/** The rules editor's draft: a document with conditions kept as text, and where validation errors belong. */
import type { FieldError } from './api.ts';
import type { RuleDefinition, RulesDocument } from './types.ts';

/** A rule as edited: `when` stays text until it parses. */
export interface DraftRule extends Omit<RuleDefinition, 'when'> {
  whenText: string;
}

export interface Draft {
  version: string;
  description: string;
  listsText: string;
  rules: DraftRule[];
}

export function toDraft(doc: RulesDocument): Draft {
  return {
    version: doc.version,
    description: doc.description ?? '',
    listsText: JSON.stringify(doc.lists ?? {}, null, 2),
    rules: doc.rules.map(({ when, ...rest }) => ({ ...rest, whenText: JSON.stringify(when, null, 2) })),
  };
}

/** The document to send, plus errors for fields whose JSON does not parse (reported at those fields). */
export function fromDraft(draft: Draft): { doc: RulesDocument; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const parse = (text: string, path: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      errors.push({ path, message: `is not valid JSON: ${(e as Error).message}` });
      return undefined;
    }
  };
  const lists = parse(draft.listsText, 'lists') as Record<string, string[]> | undefined;
  const rules = draft.rules.map((r, i) => {
    const { whenText, ...rest } = r;
    const out: RuleDefinition = { ...rest, when: parse(whenText, `rules[${i}].when`) };
    if (out.description === '') delete out.description;
    return out;
  });
  const doc: RulesDocument = { version: draft.version, rules };
  if (draft.description) doc.description = draft.description;
  if (lists !== undefined && Object.keys(lists).length > 0) doc.lists = lists;
  return { doc, errors };
}

/** Splits `rules[3].when.all[0].value` into rule 3 and field `when` (null rule: a document-level path). */
function locate(path: string): { rule: number | null; field: string } {
  const m = /^(?:document\.)?rules\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (m === null) return { rule: null, field: path.replace(/^document\.?/, '').split(/[.[]/)[0] ?? '' };
  return { rule: Number(m[1]), field: m[2] ?? '' };
}

/** Errors by rule (null: the document) and by field, so each is shown where it belongs. */
export type ErrorsByRule = Map<number | null, Map<string, FieldError[]>>;

export function errorsByRule(errors: FieldError[]): ErrorsByRule {
  const map: ErrorsByRule = new Map();
  for (const e of errors) {
    const { rule, field } = locate(e.path);
    const fields = map.get(rule) ?? new Map<string, FieldError[]>();
    fields.set(field, [...(fields.get(field) ?? []), e]);
    map.set(rule, fields);
  }
  return map;
}
