import type { Command } from 'commander';
import { notFound } from '../domain/errors.js';
import type { CliContext } from './context.js';
import { readPassword } from './password-input.js';
import { formatTable } from './table.js';

/** `postyard pop add|rm|list`: POP mailboxes, named by a server-unique username. */
export function registerPopCommands(program: Command, cli: CliContext): void {
  const pop = program.command('pop').description('POP mailboxes, each with a server-unique username');

  pop
    .command('add')
    .description('create a POP mailbox; with --domain it also gets the locked default alias username@domain')
    .argument('<username>')
    .requiredOption('--account <owner>', 'the account that owns it (its plan limits how many it may have)')
    .option('--domain <domain>', 'a domain of the owner (or of its child accounts) for the default alias')
    .option('--name <real name>', 'its real name')
    .option('--password <password>', 'its password; read from standard input when left out')
    .option('--quota <size>', 'its quota: bytes, or with K, M or G; "none" for no limit')
    .action((username: string, options: { account: string; domain?: string; name?: string; password?: string; quota?: string }) =>
      cli.run(async ({ services }) => {
        const password = options.password ?? (await readPassword(cli.io));
        const created = await services.mailboxes.createPopMailbox({
          username,
          account: options.account,
          domain: options.domain,
          displayName: options.name,
          password,
          quota: options.quota,
        });
        const alias = created.domainName ? `, default alias ${created.name}@${created.domainName}` : '';
        cli.say(`created POP mailbox ${created.name} (account ${created.accountUsername}${alias})`);
      }),
    );

  pop
    .command('rm')
    .description('remove a POP mailbox, its mail folder and every alias rule that delivers to it')
    .argument('<username>')
    .action((username: string) =>
      cli.run(async ({ services }) => {
        // An address would name a virtual account: this verb removes POP mailboxes only.
        const mailbox = services.mailboxes.find(username);
        if (!mailbox || mailbox.kind !== 'pop') throw notFound('POP mailbox', username);
        await services.mailboxes.remove(mailbox.name);
        cli.say(`removed POP mailbox ${mailbox.name} and the alias rules that delivered to it`);
      }),
    );

  pop
    .command('list')
    .description('list POP mailboxes: username, owner, default domain, real name')
    .option('--account <owner>', 'only the mailboxes of this account')
    .action((options: { account?: string }) =>
      cli.run(async ({ services }) => {
        const owner = options.account ? services.accounts.get(options.account) : undefined;
        const mailboxes = services.mailboxes.listPopMailboxes(owner?.id);
        if (mailboxes.length === 0) return cli.warn('no POP mailboxes');
        const rows = mailboxes.map((m) => [m.name, m.accountUsername, m.domainName ?? '-', m.displayName]);
        formatTable(['USERNAME', 'ACCOUNT', 'DOMAIN', 'NAME'], rows).forEach(cli.say);
      }),
    );
}
