import { join } from 'node:path';
import type { Command } from 'commander';
import { flagNames } from '../domain/mailbox-flags.js';
import type { CliContext } from './context.js';
import { showQuotaBytes } from './format.js';
import { formatFields } from './table.js';

/** The field options in the order vpopmail prints them when several are given. */
const FIELD_OPTIONS = ['p', 'u', 'g', 'c', 'd', 'q'] as const;
type FieldOption = (typeof FIELD_OPTIONS)[number];

/** `postyard vuserinfo`: a mailbox as vpopmail shows it; the password hash only when asked for with -p. */
export function registerVuserinfoCommand(program: Command, cli: CliContext): void {
  program
    .command('vuserinfo')
    .description('show a virtual account (or POP mailbox) the way vpopmail does')
    .option('-a', 'display all fields (the default)')
    .option('-p', 'display the encrypted password (a bcrypt hash)')
    .option('-u', 'display the uid field (the mailbox id)')
    .option('-g', 'display the gid field (the flags as an integer)')
    .option('-c', 'display the comment (gecos) field')
    .option('-d', 'display the directory')
    .option('-q', 'display the quota field (bytes, or NOQUOTA)')
    .argument('<email>', 'a virtual account address, or a POP mailbox username')
    .addHelpText('after', '\nWith field options (and no -a) only their values are printed, one a line, in the order p, u, g, c, d, q.')
    .action((email: string, options: Partial<Record<FieldOption | 'a', boolean>>) =>
      cli.run(async ({ services, dataDir }) => {
        const mailbox = services.mailboxes.get(email);
        const usage = await services.quotas.mailboxUsage(mailbox);
        const values: Record<FieldOption, string> = {
          p: mailbox.passwordHash,
          u: String(mailbox.id),
          g: String(mailbox.flags),
          c: mailbox.displayName,
          d: join(dataDir, services.mailboxes.folderOf(mailbox)),
          q: showQuotaBytes(usage.limit),
        };
        const asked = FIELD_OPTIONS.filter((option) => options[option]);
        if (asked.length > 0 && !options.a) return asked.forEach((option) => cli.say(values[option]));

        const flags = flagNames(mailbox.flags);
        formatFields([
          ['name', mailbox.name],
          ['passwd', options.p ? values.p : '(bcrypt hash, shown only with -p)'],
          ['uid', values.u],
          ['gid', values.g],
          ['flags', flags.length > 0 ? flags.join(',') : 'none'],
          ['gecos', values.c],
          ['dir', values.d],
          ['quota', values.q],
          ['usage', `${usage.usage} bytes${usage.percent === null ? '' : ` (${usage.percent}%)`}`],
          ['disabled', mailbox.disabled ? 'yes' : 'no'],
          ['account', mailbox.accountUsername],
          ['kind', mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox'],
        ]).forEach(cli.say);
      }),
    );
}
