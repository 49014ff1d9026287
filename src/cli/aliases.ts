import type { Command } from 'commander';
import { formatAliasAction } from '../domain/alias-action.js';
import { formatRuleLine } from '../domain/map-file.js';
import type { CliContext } from './context.js';

const SPEC_HELP = 'local@domain, or *@domain for every other local part';

/** `postyard alias set|rm|list`: a domain's alias rules, one at a time (the Email Alias Manager's forms). */
export function registerAliasCommands(program: Command, cli: CliContext): void {
  const alias = program.command('alias').description("a domain's alias rules, one rule at a time");

  alias
    .command('set')
    .description('add or change the rule for one local part (or for * on the domain)')
    .argument('<address>', SPEC_HELP)
    .argument(
      '<action...>',
      'a username (deliver), comma-separated addresses (forward), "fail", "fail: message" or "discard"',
    )
    .addHelpText('after', `\nExamples:\n  postyard alias set info@example.com bill\n  postyard alias set '*@example.com' fail: No such user`)
    .action((spec: string, words: string[]) =>
      cli.run(async ({ services }) => {
        // `fail: No such user` may arrive as one quoted argument or as several words: both mean the same action.
        const rule = services.aliases.set(spec, words.join(' '));
        const { domain } = services.aliases.parseRuleAddress(spec);
        cli.say(`${rule.localPart}@${domain.name}: ${formatAliasAction(rule.action)}`);
      }),
    );

  alias
    .command('rm')
    .description('remove the rule for one local part (a POP mailbox\'s default alias goes only with the mailbox)')
    .argument('<address>', SPEC_HELP)
    .action((spec: string) =>
      cli.run(async ({ services }) => {
        const { domain } = services.aliases.parseRuleAddress(spec);
        const removed = services.aliases.remove(spec);
        cli.say(`removed ${removed.localPart}@${domain.name}: ${formatAliasAction(removed.action)}`);
      }),
    );

  alias
    .command('list')
    .description("list a domain's rules as map-file lines; locked ones are POP mailboxes' default aliases")
    .argument('<domain>')
    .action((domainName: string) =>
      cli.run(async ({ services }) => {
        const rules = services.aliases.list(domainName);
        if (rules.length === 0) {
          const owner = services.domains.get(domainName).accountUsername;
          return cli.warn(`no alias rules on ${domainName}: mail for other local parts goes to the mailbox of account ${owner}`);
        }
        for (const rule of rules) {
          cli.say(formatRuleLine(rule) + (rule.lockedBy ? `  (locked: default alias of POP mailbox ${rule.lockedBy})` : ''));
        }
      }),
    );
}
