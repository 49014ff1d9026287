import { z } from 'zod';
import { mailboxFolder } from '../domain/layout.js';
import { PostyardError, notFound } from '../domain/errors.js';
import { domainNameSchema, parseInput, usernameSchema } from '../domain/schemas.js';
import type { Domain } from '../db/repositories/domains.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { ServiceContext } from './context.js';

export const newDomainSchema = z.object({ name: domainNameSchema, account: usernameSchema });
export type NewDomainInput = z.input<typeof newDomainSchema>;

export function createDomainService({ db, repos, store, audit }: ServiceContext) {
  const requireDomain = (name: string): Domain => {
    const domain = repos.domains.findByName(name.trim().toLowerCase());
    if (!domain) throw notFound('domain', name);
    return domain;
  };

  const deleteDomain = db.transaction((domain: Domain, virtualAccounts: Mailbox[]) => {
    for (const mailbox of virtualAccounts) repos.mailboxes.remove(mailbox.id);
    repos.mailboxes.detachPopsFromDomain(domain.id);
    repos.domains.remove(domain.id); // its alias rules follow by ON DELETE CASCADE
  });

  return {
    add(input: NewDomainInput): Domain {
      const parsed = parseInput(newDomainSchema, input);
      const account = repos.accounts.findByUsername(parsed.account);
      if (!account) throw notFound('account', parsed.account);
      const existing = repos.domains.findByName(parsed.name);
      if (existing) {
        throw new PostyardError('DOMAIN_TAKEN', `${parsed.name} is already hosted on this server`, [
          { field: 'name', message: 'is already hosted on this server' },
        ]);
      }
      repos.domains.insert(parsed.name, account.id);
      const domain = repos.domains.findByName(parsed.name)!;
      audit.record('domain.add', domain.name, domain.accountUsername, null, domain);
      return domain;
    },

    get: requireDomain,
    list: () => repos.domains.list(),

    /** What removing a domain takes with it, for a confirmation to list: virtual accounts, POP default aliases, rules. */
    removalOf(name: string) {
      const domain = requireDomain(name);
      const mailboxes = repos.mailboxes.listByDomain(domain.id);
      return {
        domain,
        virtualAccounts: mailboxes.filter((mailbox) => mailbox.kind === 'virtual').map((mailbox) => mailbox.name),
        popDefaultAliases: mailboxes
          .filter((mailbox) => mailbox.kind === 'pop')
          .map((mailbox) => ({ address: `${mailbox.name}@${domain.name}`, popMailbox: mailbox.name })),
        otherAliasRules: repos.aliasRules.listByDomain(domain.id).filter((rule) => rule.lockedBy === null).length,
      };
    },
    listByAccount: (accountId: number) => repos.domains.listByAccount(accountId),

    /** Virtual accounts on the domain: they stop removal unless `force`, and then go with it, files and all. */
    async remove(name: string, { force = false } = {}): Promise<{ domain: Domain; removedMailboxes: Mailbox[] }> {
      const domain = requireDomain(name);
      const virtualAccounts = repos.mailboxes.listByDomain(domain.id).filter((mailbox) => mailbox.kind === 'virtual');
      if (virtualAccounts.length > 0 && !force) {
        const names = virtualAccounts.slice(0, 5).map((mailbox) => mailbox.name).join(', ');
        const more = virtualAccounts.length > 5 ? ` and ${virtualAccounts.length - 5} more` : '';
        throw new PostyardError(
          'IN_USE',
          `${domain.name} still has ${virtualAccounts.length} virtual account(s): ${names}${more}; remove them first or force`,
        );
      }
      deleteDomain(domain, virtualAccounts);
      audit.record('domain.remove', domain.name, domain.accountUsername, { ...domain, virtualAccounts: virtualAccounts.map((m) => m.name) }, null);
      for (const mailbox of virtualAccounts) await store.removeFolder(mailboxFolder(mailbox.accountUsername, mailbox.name));
      return { domain, removedMailboxes: virtualAccounts };
    },
  };
}

export type DomainService = ReturnType<typeof createDomainService>;
