import type { Command } from 'commander';
import type { Forwarding } from '../services/forwarding.js';
import type { CliContext } from './context.js';

const NAME_HELP = 'a full address (virtual account) or a bare username (POP mailbox)';

const describe = (forwarding: Forwarding) =>
  `forwarding to ${forwarding.addresses.join(', ')} (${forwarding.keepCopy ? 'a copy stays in the mailbox' : 'no copy kept'})`;

/** `postyard forward set|rm|show`: a mailbox's own forwarding (DESIGN.md mailbox settings). */
export function registerForwardCommands(program: Command, cli: CliContext): void {
  const forward = program.command('forward').description("a mailbox's forwarding to other addresses, local or remote");

  forward
    .command('set')
    .description('forward the mailbox\'s mail to one or more addresses; without --keep no copy stays in it')
    .argument('<address-or-username>', NAME_HELP)
    .argument('<addresses>', 'comma-separated addresses, like a@example.com,b@elsewhere.net')
    .option('--keep', 'keep a copy in the mailbox too')
    .addHelpText('after', '\nExamples:\n  postyard forward set info@example.com boss@elsewhere.net --keep\n  postyard forward set bob bob@home.example,bob@work.example')
    .action((name: string, addresses: string, options: { keep?: boolean }) =>
      cli.run(async ({ services }) => {
        const mailbox = services.forwarding.set(name, { addresses, keepCopy: options.keep ?? false });
        cli.say(`${mailbox.name}: ${describe(services.forwarding.get(mailbox.name)!)}`);
      }),
    );

  forward
    .command('rm')
    .description('stop forwarding: mail stays in the mailbox again')
    .argument('<address-or-username>', NAME_HELP)
    .action((name: string) =>
      cli.run(async ({ services }) => {
        const mailbox = services.mailboxes.get(name);
        const removed = services.forwarding.remove(mailbox.name);
        if (removed) cli.say(`${mailbox.name}: forwarding removed (was to ${removed.addresses.join(', ')})`);
        else cli.warn(`${mailbox.name} was not forwarding; nothing changed`);
      }),
    );

  forward
    .command('show')
    .description("print the mailbox's forwarding")
    .argument('<address-or-username>', NAME_HELP)
    .action((name: string) =>
      cli.run(async ({ services }) => {
        const mailbox = services.mailboxes.get(name);
        const forwarding = services.forwarding.get(mailbox.name);
        cli.say(`${mailbox.name}: ${forwarding ? describe(forwarding) : 'no forwarding'}`);
      }),
    );
}
