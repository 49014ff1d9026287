import { notFound } from '../domain/errors.js';
import type { Account } from '../db/repositories/accounts.js';
import type { Domain } from '../db/repositories/domains.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { Principal } from './auth.js';
import type { ServiceContext } from './context.js';

/**
 * Every object the panel shows is looked up through the logged-in principal: the admin reaches everything, a parent
 * account itself and its children, a child account only itself, a mailbox user only its own mailbox. An object out of
 * reach is "not found", exactly like one that does not exist, so ids in URLs reveal nothing.
 */
export function createAccessService({ repos }: ServiceContext) {
  const reaches = (principal: Principal, account: Account): boolean => {
    if (principal.kind === 'admin') return true;
    if (principal.kind !== 'account') return false;
    return account.id === principal.id || account.parentId === principal.id;
  };

  const access = {
    reaches,

    /** The accounts this principal manages: all (admin), itself and its children (parent), itself (child), none. */
    accounts(principal: Principal): Account[] {
      if (principal.kind === 'admin') return repos.accounts.list();
      if (principal.kind !== 'account') return [];
      const self = repos.accounts.findById(principal.id);
      return self ? [self, ...repos.accounts.listChildren(self.id)] : [];
    },

    /** Whose audit entries the principal reads: every entry (null) for the admin, else those of the accounts it manages. */
    auditScope(principal: Principal): string[] | null {
      return principal.kind === 'admin' ? null : access.accounts(principal).map((account) => account.username);
    },

    account(principal: Principal, username: string): Account {
      const account = repos.accounts.findByUsername(username.trim().toLowerCase());
      if (!account || !reaches(principal, account)) throw notFound('account', username);
      return account;
    },

    domain(principal: Principal, name: string): Domain {
      const domain = repos.domains.findByName(name.trim().toLowerCase());
      const owner = domain && repos.accounts.findById(domain.accountId);
      if (!domain || !owner || !reaches(principal, owner)) throw notFound('domain', name);
      return domain;
    },

    /** A domain named under /accounts/<username>/: within the principal's reach and hosted by that very account. */
    domainOf(principal: Principal, account: Account, name: string): Domain {
      const domain = access.domain(principal, name);
      if (domain.accountId !== account.id) throw notFound('domain', name);
      return domain;
    },

    /** A virtual account or POP mailbox named under /accounts/<username>/: within reach, of that kind and that account. */
    mailboxOf(principal: Principal, account: Account, name: string, kind: Mailbox['kind']): Mailbox {
      const mailbox = access.mailbox(principal, name);
      if (mailbox.accountId !== account.id || mailbox.kind !== kind) throw notFound(kind === 'virtual' ? 'virtual account' : 'POP mailbox', name);
      return mailbox;
    },

    /** A mailbox by its address or POP username; a mailbox user reaches only its own. */
    mailbox(principal: Principal, name: string): Mailbox {
      const key = name.trim().toLowerCase();
      const mailbox = key.includes('@') ? repos.mailboxes.findByAddress(key) : repos.mailboxes.findPopByUsername(key);
      const owner = mailbox && repos.accounts.findById(mailbox.accountId);
      const allowed = mailbox && (principal.kind === 'mailbox' ? mailbox.id === principal.id : owner && reaches(principal, owner));
      if (!mailbox || !allowed) throw notFound(key.includes('@') ? 'virtual account' : 'POP mailbox', name);
      return mailbox;
    },
  };
  return access;
}

export type AccessService = ReturnType<typeof createAccessService>;
