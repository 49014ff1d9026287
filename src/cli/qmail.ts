import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { QMAIL_FILE_PREFIX } from '../domain/qmail.js';
import type { QmailFile } from '../services/qmail-import.js';
import { CliExit, type CliContext } from './context.js';

/** A forward file is a few lines; anything this large is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

/** `postyard qmail import`: vpopmail's `.qmail-<user>` forward files of one domain folder (seed 004). */
export function registerQmailCommands(program: Command, cli: CliContext): void {
  const qmail = program.command('qmail').description("vpopmail's .qmail-<user> forward files");

  qmail
    .command('import')
    .description('turn the .qmail-<user> files of a vpopmail domain folder into forwarding and alias rules')
    .argument('<domain>', 'a domain hosted here')
    .argument('<folder>', 'the vpopmail domain folder, like ~vpopmail/domains/example.com')
    .addHelpText(
      'after',
      `
Each .qmail-<user> file sets the forwarding of the mailbox <user>@<domain> is (a virtual account, or a POP mailbox
by its default alias; a Maildir line in the file keeps a copy), otherwise the alias rule "<user>: <addresses>";
.qmail-default becomes the "*" rule and ":" in a file name stands for ".". Program (|) and mailbox path lines are
skipped and reported. A bad line stops the whole import: nothing changes until every file is right.`,
    )
    .action((domain: string, folder: string) =>
      cli.run(async ({ services }) => {
        const files = await readQmailFiles(folder);
        if (files.length === 0) throw new CliExit(`postyard: no ${QMAIL_FILE_PREFIX}<user> files in ${folder}`, 1);
        const report = services.qmail.import(domain, files);
        for (const each of report.imported) {
          if (each.kind === 'forwarding') {
            const copy = each.keepCopy ? 'a copy stays in the mailbox' : 'no copy kept';
            const which = each.mailbox === each.address ? 'virtual account' : `POP mailbox ${each.mailbox}`;
            cli.say(`${each.file}: ${each.address} forwards to ${each.addresses.join(', ')} (${which}; ${copy})`);
          } else {
            cli.say(`${each.file}: ${each.address} alias rule "${each.address.slice(0, each.address.lastIndexOf('@'))}: ${each.addresses.join(', ')}"`);
          }
        }
        for (const skip of report.skipped) cli.warn(`skipped ${skip.file}${skip.line === undefined ? '' : ` line ${skip.line}`}: ${skip.message}`);
        cli.say(`imported ${report.imported.length} file(s) into ${report.domain}; skipped ${report.skipped.length}`);
      }),
    );
}

/** The regular `.qmail-*` files of a folder, read as text. */
async function readQmailFiles(folder: string): Promise<QmailFile[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (error as Error).message;
    throw new CliExit(`postyard: cannot read the folder ${folder}: ${reason}`, 1);
  }
  const files: QmailFile[] = [];
  for (const name of names.filter((each) => each.startsWith(QMAIL_FILE_PREFIX)).sort()) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    if (info.size > MAX_FILE_BYTES) throw new CliExit(`postyard: ${path} is larger than a forward file can be (${info.size} bytes)`, 1);
    files.push({ name, text: await readFile(path, 'utf8') });
  }
  return files;
}
