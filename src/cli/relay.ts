import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** `postyard relay allow|deny|list`: client addresses that may relay without logging in (seed 004's tcp.smtp). */
export function registerRelayCommands(program: Command, cli: CliContext): void {
  const relay = program
    .command('relay')
    .description('the relay allow list: clients that may relay without logging in');

  relay
    .command('allow')
    .description('let a client address or range relay; counts at once, no restart needed')
    .argument('<ip-or-cidr>', 'like 192.0.2.7, 192.0.2.0/24 or 2001:db8::/32')
    .action((text: string) =>
      cli.run(async ({ services }) => {
        const { cidr, added } = services.relay.allow(text);
        cli.say(added ? `allowed ${cidr}` : `${cidr} was already allowed`);
      }),
    );

  relay
    .command('deny')
    .description('take an address or range off the allow list')
    .argument('<ip-or-cidr>', 'as it was allowed')
    .action((text: string) =>
      cli.run(async ({ services }) => {
        const { cidr, removed } = services.relay.deny(text);
        cli.say(removed ? `removed ${cidr}` : `${cidr} was not on the allow list`);
      }),
    );

  relay
    .command('list')
    .description('print the allow list, one range a line')
    .action(() =>
      cli.run(async ({ services }) => {
        const allowed = services.relay.list();
        if (allowed.length === 0) cli.warn('the relay allow list is empty: only clients that log in may relay');
        allowed.forEach(cli.say);
      }),
    );
}
