import type { Command } from 'commander';
import type { Autoreply } from '../db/repositories/autoreplies.js';
import { autoreplyStatus } from '../services/autoreply.js';
import type { CliContext } from './context.js';
import { readAll } from './password-input.js';

const NAME_HELP = 'a full address (virtual account) or a bare username (POP mailbox)';

/** One line about an autoreply: whether it answers today, its dates and its period. */
function describe(autoreply: Autoreply | null): string {
  const status = autoreplyStatus(autoreply);
  if (!autoreply || status === 'off') return 'autoreply off';
  const dates = [autoreply.startsOn && `from ${autoreply.startsOn}`, autoreply.endsOn && `until ${autoreply.endsOn}`].filter(Boolean);
  const when = { on: 'autoreply on', scheduled: 'autoreply scheduled', ended: 'autoreply ended' }[status];
  const subject = autoreply.subject ? `subject "${autoreply.subject}"` : 'subject "Auto: " and the original subject';
  return [when, ...dates, subject, `at most once per sender every ${autoreply.periodDays} day(s)`].join(', ');
}

/** `postyard autoreply set|rm|show`: a mailbox's autoreply (RFC 3834), with optional dates. */
export function registerAutoreplyCommands(program: Command, cli: CliContext): void {
  const autoreply = program.command('autoreply').description("a mailbox's autoreply (vacation message)");

  autoreply
    .command('set')
    .description('answer mail to the mailbox, once per sender per period, between optional dates')
    .argument('<address-or-username>', NAME_HELP)
    .requiredOption('--text <text>', 'the text of the reply; "-" reads it from standard input')
    .option('--subject <text>', 'the subject of the reply (default: "Auto: " and the original subject)')
    .option('--from <date>', 'first day it answers, YYYY-MM-DD (default: today)')
    .option('--until <date>', 'last day it answers, YYYY-MM-DD (default: until removed)')
    .option('--days <n>', 'answer the same sender at most once in this many days', '7')
    .addHelpText(
      'after',
      '\nNever answers mailing lists, bulk or automatic mail, bounces, or mail that does not name the mailbox in To or Cc.' +
        '\nExample:\n  postyard autoreply set info@example.com --subject "Away" --text "Back on Monday." --until 2025-08-31',
    )
    .action((name: string, options: { text: string; subject?: string; from?: string; until?: string; days: string }) =>
      cli.run(async ({ services }) => {
        const text = options.text === '-' ? await readAll(cli.io.stdin) : options.text;
        const mailbox = services.mailboxes.get(name);
        const saved = services.autoreply.set(mailbox.name, { text, subject: options.subject, from: options.from, until: options.until, days: options.days });
        cli.say(`${mailbox.name}: ${describe(saved)}`);
      }),
    );

  autoreply
    .command('rm')
    .description('remove the autoreply and forget whom it answered')
    .argument('<address-or-username>', NAME_HELP)
    .action((name: string) =>
      cli.run(async ({ services }) => {
        const mailbox = services.mailboxes.get(name);
        if (services.autoreply.remove(mailbox.name)) cli.say(`${mailbox.name}: autoreply removed`);
        else cli.warn(`${mailbox.name} had no autoreply; nothing changed`);
      }),
    );

  autoreply
    .command('show')
    .description("print the mailbox's autoreply")
    .argument('<address-or-username>', NAME_HELP)
    .action((name: string) =>
      cli.run(async ({ services }) => {
        const mailbox = services.mailboxes.get(name);
        const current = services.autoreply.get(mailbox.name);
        cli.say(`${mailbox.name}: ${describe(current)}`);
        if (current?.text) cli.io.stdout.write(`\n${current.text}\n`);
      }),
    );
}
