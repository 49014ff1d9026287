import { PostyardError, type FieldIssue } from '../domain/errors.js';
import { WILDCARD } from '../domain/map-file.js';
import { QMAIL_FILE_PREFIX, parseQmailFile, type ParsedQmailFile } from '../domain/qmail.js';
import type { Domain } from '../db/repositories/domains.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { AliasService } from './aliases.js';
import type { ServiceContext } from './context.js';
import type { ForwardingService } from './forwarding.js';

/** One `.qmail-<user>` file as read from a vpopmail domain folder. */
export interface QmailFile {
  name: string;
  text: string;
}

export type QmailImported =
  | { file: string; address: string; kind: 'forwarding'; mailbox: string; addresses: string[]; keepCopy: boolean }
  | { file: string; address: string; kind: 'alias'; addresses: string[] };

export interface QmailSkipped {
  file: string;
  /** The line skipped, or none when the whole file is. */
  line?: number;
  message: string;
}

export interface QmailImportReport {
  domain: string;
  imported: QmailImported[];
  skipped: QmailSkipped[];
}

/**
 * `postyard qmail import`: the forward files of a vpopmail domain folder (seed 004) become Postyard settings. For each
 * `.qmail-<user>`: the forwarding of the mailbox <user>@<domain> reaches (a virtual account, or the POP mailbox whose
 * default alias it is; a mailbox path in the file means "keep a copy"), otherwise an alias rule "<user>: <addresses>";
 * `.qmail-default` becomes the "*" rule. Every file is read before anything changes; one bad line, or one refusal from
 * the services, and nothing is imported.
 */
export function createQmailImportService({ db, repos, audit }: ServiceContext, forwarding: ForwardingService, aliases: AliasService) {
  /** The mailbox that an address of the domain is: a virtual account, or a POP mailbox by its locked default alias. */
  const mailboxAt = (domain: Domain, localPart: string): Mailbox | null => {
    if (localPart === WILDCARD) return null;
    const virtual = repos.mailboxes.findByAddress(`${localPart}@${domain.name}`);
    if (virtual) return virtual;
    const lockedBy = repos.aliasRules.find(domain.id, localPart)?.lockedBy;
    return lockedBy ? repos.mailboxes.findPopByUsername(lockedBy) : null;
  };

  const apply = db.transaction((domain: Domain, files: Array<{ name: string; parsed: ParsedQmailFile }>): QmailImported[] =>
    files.map(({ name, parsed }) => {
      const address = `${parsed.localPart}@${domain.name}`;
      try {
        const mailbox = mailboxAt(domain, parsed.localPart);
        if (mailbox) {
          forwarding.set(mailbox.name, { addresses: parsed.addresses, keepCopy: parsed.deliversLocally });
          return { file: name, address, kind: 'forwarding', mailbox: mailbox.name, addresses: parsed.addresses, keepCopy: parsed.deliversLocally };
        }
        aliases.set(address, parsed.addresses.join(', '));
        return { file: name, address, kind: 'alias', addresses: parsed.addresses };
      } catch (error) {
        if (!(error instanceof PostyardError)) throw error;
        throw new PostyardError(error.code, `the import was not done: ${name}: ${error.message}`, [{ field: name, message: error.message }]);
      }
    }),
  );

  return {
    import(domainName: string, files: readonly QmailFile[]): QmailImportReport {
      const domain = repos.domains.findByName(domainName.trim().toLowerCase());
      if (!domain) {
        throw new PostyardError('DOMAIN_NOT_HOSTED', `${domainName} is not hosted here`, [{ field: 'domain', message: 'is not hosted here' }]);
      }
      const skipped: QmailSkipped[] = [];
      const issues: FieldIssue[] = [];
      const usable: Array<{ name: string; parsed: ParsedQmailFile }> = [];
      const seen = new Map<string, string>();
      for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
        if (!file.name.startsWith(QMAIL_FILE_PREFIX)) continue;
        const parsed = parseQmailFile(file.name, file.text);
        if ('problem' in parsed) {
          skipped.push({ file: file.name, message: parsed.problem });
          continue;
        }
        skipped.push(...parsed.skipped.map((issue) => ({ file: file.name, ...issue })));
        issues.push(...parsed.bad.map((issue) => ({ field: file.name, ...issue })));
        const earlier = seen.get(parsed.localPart);
        if (earlier) {
          issues.push({ field: file.name, message: `is for the same address as ${earlier}` });
          continue;
        }
        seen.set(parsed.localPart, file.name);
        if (parsed.addresses.length === 0) skipped.push({ file: file.name, message: 'has no forward lines: nothing to import' });
        else usable.push({ name: file.name, parsed });
      }
      if (issues.length > 0) {
        const lines = issues.map((issue) => `${issue.field}${issue.line === undefined ? '' : ` line ${issue.line}`}: ${issue.message}`);
        throw new PostyardError('INVALID_INPUT', `the import was not done: ${issues.length} bad line(s)\n${lines.join('\n')}`, issues);
      }
      const imported = apply(domain, usable);
      audit.record('qmail.import', domain.name, domain.accountUsername, null, { imported: imported.map((each) => each.address), skipped: skipped.length });
      return { domain: domain.name, imported, skipped };
    },
  };
}

export type QmailImportService = ReturnType<typeof createQmailImportService>;
