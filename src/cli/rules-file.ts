/** A rules document read from a file and compiled, or what is wrong with it. */
import { readFileSync } from 'node:fs';
import { compileRules, type CompiledRuleSet } from '../engine/rules/index.ts';

export type RulesFileResult =
  | { ok: true; value: CompiledRuleSet }
  /** Not read, or not JSON: one line naming the file. */
  | { ok: false; unreadable: string }
  /** A document with problems: one `path: message` line each. */
  | { ok: false; problems: string[] };

export function readRulesFile(file: string): RulesFileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      ok: false,
      unreadable: `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, unreadable: `${file}: not valid JSON: ${(e as Error).message}` };
  }
  const result = compileRules(doc);
  if (result.ok) return result;
  return { ok: false, problems: result.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)) };
}
