import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { formatTable } from './table.js';

/** `postyard domain add|rm|list`: the domains hosted here, each on one account. */
export function registerDomainCommands(program: Command, cli: CliContext): void {
  const domain = program.command('domain').description('hosted domains (the server\'s local domains)');

  domain
    .command('add')
    .description('host a domain on an account (parent or child)')
    .argument('<domain>')
    .requiredOption('--account <username>', 'the account that hosts it')
    .action((name: string, options: { account: string }) =>
      cli.run(async ({ services }) => {
        const added = services.domains.add({ name, account: options.account });
        cli.say(`hosting ${added.name} on account ${added.accountUsername}`);
      }),
    );

  domain
    .command('rm')
    .description('stop hosting a domain; its alias rules go with it')
    .argument('<domain>')
    .option('--force', 'also remove its virtual accounts and their mail files')
    .action((name: string, options: { force?: boolean }) =>
      cli.run(async ({ services }) => {
        const { domain: removed, removedMailboxes } = await services.domains.remove(name, { force: options.force === true });
        cli.say(`removed domain ${removed.name}`);
        for (const mailbox of removedMailboxes) cli.say(`  removed virtual account ${mailbox.name}`);
      }),
    );

  domain
    .command('list')
    .description('list the hosted domains')
    .option('--account <username>', 'only the domains of this account')
    .action((options: { account?: string }) =>
      cli.run(async ({ services }) => {
        const domains = options.account
          ? services.domains.listByAccount(services.accounts.get(options.account).id)
          : services.domains.list();
        if (domains.length === 0) return cli.warn('no domains hosted yet: add one with "postyard domain add <domain> --account <username>"');
        const rows = domains.map((each) => {
          const virtual = services.mailboxes.listVirtualAccounts(each.accountId).filter((m) => m.domainId === each.id);
          return [each.name, each.accountUsername, String(virtual.length), String(services.aliases.list(each.name).length)];
        });
        formatTable(['DOMAIN', 'ACCOUNT', 'VIRTUAL ACCOUNTS', 'ALIAS RULES'], rows).forEach(cli.say);
      }),
    );
}
