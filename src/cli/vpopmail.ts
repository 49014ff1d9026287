import type { Command } from 'commander';
import { z } from 'zod';
import { VMODUSER_FLAG_OPTIONS, withFlags, type MailboxFlag } from '../domain/mailbox-flags.js';
import { bcryptHashSchema, parseInput } from '../domain/schemas.js';
import type { MailboxSettingsInput } from '../services/mailboxes.js';
import type { CliContext } from './context.js';
import { readPassword } from './password-input.js';

/** vmoduser's flag letters in the order seed 004 lists them, with what each one stops or does. */
const FLAG_LETTERS = ['u', 'd', 'p', 'w', 'i', 'b', 'r', '0', '1', '2', '3'] as const;
const FLAG_HELP: Record<MailboxFlag, string> = {
  noDialup: 'set the no dialup flag',
  noPasswordChange: 'set the no password changing flag',
  noPop: 'set the no POP access flag',
  noWebmail: 'set the no webmail access flag',
  noImap: 'set the no IMAP access flag',
  bounceMail: 'set the bounce mail flag (mail to it is refused)',
  noRelay: 'set the no external relay flag',
  user0: 'set the V_USER0 flag',
  user1: 'set the V_USER1 flag',
  user2: 'set the V_USER2 flag',
  user3: 'set the V_USER3 flag',
};

const QUOTA_HELP = 'quota in bytes (K, M or G allowed), or NOQUOTA';
const MAILBOX_HELP = 'a virtual account address, or a POP mailbox username';

/** The vpopmail verbs of seed 004, with its options; like vpopmail they print nothing when they succeed. */
export function registerVpopmailCommands(program: Command, cli: CliContext): void {
  program
    .command('vadduser')
    .description('add a virtual account; it belongs to the account hosting its domain')
    .option('-q <quota_in_bytes>', QUOTA_HELP)
    .option('-c <comment>', 'the comment (gecos) field: its display name')
    .option('-s', 'accepted for compatibility (Postyard has no vpasswd.cdb to rebuild)')
    .option('-a', 'APOP: not offered, Postyard stores only bcrypt hashes (a warning, nothing else)')
    .argument('<email>')
    .argument('[passwd]', 'its password; read from standard input when left out')
    .action((email: string, passwd: string | undefined, options: { q?: string; c?: string; a?: boolean }) =>
      cli.run(async ({ services }) => {
        const password = passwd ?? (await readPassword(cli.io));
        await services.mailboxes.createVirtualAccount({ address: email, password, quota: options.q, displayName: options.c });
        if (options.a) cli.warn('postyard: -a ignored: APOP is not offered, because Postyard stores only bcrypt hashes of passwords');
      }),
    );

  program
    .command('vdeluser')
    .description('remove a virtual account with its mail folder')
    .argument('<email>', MAILBOX_HELP)
    .action((email: string) =>
      cli.run(async ({ services }) => {
        await services.mailboxes.remove(email);
      }),
    );

  const vmoduser = program
    .command('vmoduser')
    .description('change a virtual account: quota, comment, password hash, flags')
    .option('-n', 'accepted for compatibility (Postyard has no vpasswd.cdb to rebuild)')
    .option('-q <quota>', QUOTA_HELP)
    .option('-c <comment>', 'set the comment (gecos) field: its display name')
    .option('-e <encrypted_passwd>', 'set the password field to this bcrypt hash ($2a$, $2b$ or $2y$)');
  for (const letter of FLAG_LETTERS) vmoduser.option(`-${letter}`, FLAG_HELP[VMODUSER_FLAG_OPTIONS[letter]!]);
  vmoduser
    .option('-x', 'clear all flags (then set any flag given with it)')
    .argument('<email>', MAILBOX_HELP)
    .action((email: string, options: Record<string, string | boolean | undefined>) =>
      cli.run(async ({ services }) => {
        const letters = FLAG_LETTERS.filter((letter) => options[letter] === true);
        const changes: MailboxSettingsInput = {};
        if (typeof options.q === 'string') changes.quota = options.q;
        if (typeof options.c === 'string') changes.displayName = options.c;
        if (options.x || letters.length > 0) {
          const current = services.mailboxes.get(email).flags;
          changes.flags = withFlags(options.x ? 0 : current, letters.map((letter) => VMODUSER_FLAG_OPTIONS[letter]!));
        }
        const hash = typeof options.e === 'string' ? options.e : undefined;
        // Checked before anything is saved, so that a bad hash never leaves the other changes half made.
        if (hash !== undefined) parseInput(z.object({ encryptedPassword: bcryptHashSchema }), { encryptedPassword: hash });
        await services.mailboxes.updateSettings(email, changes);
        if (hash !== undefined) services.mailboxes.setPasswordHash(email, hash);
      }),
    );

  program
    .command('vpasswd')
    .description("set a virtual account's (or POP mailbox's) password")
    .argument('<email>', MAILBOX_HELP)
    .argument('[passwd]', 'the new password; read from standard input when left out')
    .action((email: string, passwd: string | undefined) =>
      cli.run(async ({ services }) => {
        services.mailboxes.get(email); // before the prompt, so that a typo is not answered with one
        await services.mailboxes.setPassword(email, passwd ?? (await readPassword(cli.io)));
      }),
    );

  program
    .command('vsetuserquota')
    .description("set a virtual account's (or POP mailbox's) quota")
    .argument('<email>', MAILBOX_HELP)
    .argument('<quota_in_bytes>', QUOTA_HELP)
    .action((email: string, quota: string) =>
      cli.run(async ({ services }) => {
        await services.mailboxes.updateSettings(email, { quota });
      }),
    );
}
