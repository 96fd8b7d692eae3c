/** `fraudwatch rules validate FILE` and `fraudwatch rules show-default`. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compileRules, DEFAULT_RULES_PATH } from '../engine/rules/index.ts';

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('check and show rule documents');

  rules
    .command('validate')
    .description(
      'check a rules document: exit 0 if valid; 1 with one `path: message` line per problem; 2 if unreadable or not JSON',
    )
    .argument('<file>', 'the rules document (JSON)')
    .action((file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        console.error(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        process.exit(2);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        console.error(`${file}: not valid JSON: ${(e as Error).message}`);
        process.exit(2);
      }
      const result = compileRules(doc);
      if (!result.ok) {
        for (const e of result.errors) console.error(e.path ? `${e.path}: ${e.message}` : e.message);
        console.error(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`);
        process.exit(1);
      }
      const total = result.value.document.rules.length;
      const enabled = result.value.rules.length;
      console.log(`${file}: ok (${total} rules, ${enabled} enabled, version ${result.value.version})`);
    });

  rules
    .command('show-default')
    .description('print the shipped default rules document (a starting point to copy and edit)')
    .action(() => {
      process.stdout.write(readFileSync(DEFAULT_RULES_PATH, 'utf8'));
    });
}
