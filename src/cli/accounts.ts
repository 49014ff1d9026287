import { Option, type Command } from 'commander';
import type { Account } from '../db/repositories/accounts.js';
import { POP_PACK_SIZE } from '../services/accounts.js';
import type { Services } from '../services/index.js';
import type { CliContext } from './context.js';
import { showLimit, showUsage } from './format.js';
import { readPassword } from './password-input.js';
import { formatTable } from './table.js';

const SIZE_HELP = 'bytes, or with K, M or G (like 500M); "none" for no limit';

interface PlanOptions {
  quota?: string;
  mailboxQuota?: string;
  maxChildren?: string;
  popPacks?: string;
}

/** `postyard account add|list|rm|plan|passwd`: hosting accounts, parents and their children. */
export function registerAccountCommands(program: Command, cli: CliContext): void {
  const account = program.command('account').description('hosting accounts: parents and their child accounts');
  const withPlanOptions = (command: Command) =>
    command
      .option('--quota <size>', `disk quota of the account, ${SIZE_HELP}`)
      .option('--mailbox-quota <size>', `default limit of each of its mailboxes, ${SIZE_HELP}`)
      .option('--max-children <n>', 'how many child accounts it may create')
      .option('--pop-packs <n>', `how many packs of ${POP_PACK_SIZE} POP mailboxes it may create`);
  const plan = (options: PlanOptions) => ({
    diskQuota: options.quota,
    mailboxQuota: options.mailboxQuota,
    maxChildren: options.maxChildren,
    popPacks: options.popPacks,
  });

  const add = account
    .command('add')
    .description('create an account (a parent, or a child with --parent)')
    .argument('<username>', 'the new username (unique among accounts, POP mailboxes and lists)')
    .option('--parent <username>', 'create it as a child of this parent account')
    .option('--password <password>', 'its password; read from standard input when left out');
  withPlanOptions(add).action((username: string, options: PlanOptions & { parent?: string; password?: string }) =>
      cli.run(async ({ services }) => {
        const password = options.password ?? (await readPassword(cli.io));
        const created = await services.accounts.create({ username, parent: options.parent, password, ...plan(options) });
        cli.say(`created account ${created.username}${created.parentUsername ? ` (child of ${created.parentUsername})` : ''}`);
      }),
    );

  account
    .command('list')
    .description('list every account with its plan and disk usage')
    .action(() =>
      cli.run(async ({ services }) => {
        const rows: string[][] = [];
        for (const each of services.accounts.list()) {
          const usage = await services.quotas.accountDiskUsage(each);
          const pops = services.mailboxes.listPopMailboxes(each.id).length;
          rows.push([
            each.username,
            each.parentUsername ?? '-',
            showLimit(each.diskQuotaBytes),
            showUsage(usage),
            String(services.domains.listByAccount(each.id).length),
            `${pops}/${each.popPacks * POP_PACK_SIZE}`,
            each.disabled ? 'disabled' : 'active',
          ]);
        }
        if (rows.length === 0) return cli.warn('no accounts yet: create one with "postyard account add <username>"');
        formatTable(['USERNAME', 'PARENT', 'DISK QUOTA', 'USED', 'DOMAINS', 'POP', 'STATUS'], rows).forEach(cli.say);
      }),
    );

  account
    .command('rm')
    .description('remove an account with its child accounts, domains, mailboxes, alias rules and mail files')
    .argument('<username>')
    .action((username: string) =>
      cli.run(async ({ services }) => {
        const family = [services.accounts.get(username), ...services.accounts.listChildren(username)];
        const contents = family.map((member) => describeContents(services, member));
        const removed = await services.accounts.remove(username);
        for (const member of removed) {
          cli.say(`removed ${member.parentId === null ? 'account' : 'child account'} ${member.username}`);
          contents[family.findIndex((each) => each.id === member.id)]?.forEach((line) => cli.say(`  ${line}`));
        }
      }),
    );

  withPlanOptions(account.command('plan').description("change an account's plan, or disable or enable it"))
    .argument('<username>')
    .addOption(new Option('--disable', 'refuse its logins (mail still arrives)').conflicts('enable'))
    .option('--enable', 'allow its logins again')
    .action((username: string, options: PlanOptions & { disable?: boolean; enable?: boolean }) =>
      cli.run(async ({ services }) => {
        const disabled = options.disable ? true : options.enable ? false : undefined;
        const updated = await services.accounts.setPlan(username, { ...plan(options), disabled });
        cli.say(describePlan(updated));
      }),
    );

  account
    .command('passwd')
    .description("set an account's password")
    .argument('<username>')
    .argument('[password]', 'the new password; read from standard input when left out')
    .action((username: string, password: string | undefined) =>
      cli.run(async ({ services }) => {
        services.accounts.get(username); // before the prompt, so that a typo is not answered with one
        await services.accounts.setPassword(username, password ?? (await readPassword(cli.io)));
        cli.say(`changed the password of account ${username.toLowerCase()}`);
      }),
    );
}

function describeContents(services: Services, account: Account): string[] {
  return [
    ...services.domains.listByAccount(account.id).map((domain) => `domain ${domain.name}`),
    ...services.mailboxes.listVirtualAccounts(account.id).map((mailbox) => `virtual account ${mailbox.name}`),
    ...services.mailboxes.listPopMailboxes(account.id).map((mailbox) => `POP mailbox ${mailbox.name}`),
  ];
}

function describePlan(account: Account): string {
  return [
    `${account.username}: disk quota ${showLimit(account.diskQuotaBytes)}`,
    `mailbox quota ${showLimit(account.mailboxQuotaBytes)}`,
    `up to ${account.maxChildren} child accounts`,
    `${account.popPacks} POP pack(s) (${account.popPacks * POP_PACK_SIZE} mailboxes)`,
    account.disabled ? 'disabled' : 'active',
  ].join(', ');
}
