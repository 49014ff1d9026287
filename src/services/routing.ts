import { POSTMASTER_MAILDIR, accountMaildir, mailboxFolder } from '../domain/layout.js';
import { resolveRecipient, type Destination, type ResolutionLookups, type Resolution } from '../domain/resolution.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { ServiceContext } from './context.js';
import type { RelayService } from './relay.js';

/** Who is sending, as far as routing cares. */
export interface SenderContext {
  clientAddress?: string;
  /** The username or address the client authenticated as; any authenticated user may relay. */
  authenticatedAs?: string | null;
}

const toTarget = (mailbox: Mailbox) => ({
  id: mailbox.id,
  kind: mailbox.kind,
  name: mailbox.name,
  accountId: mailbox.accountId,
  accountUsername: mailbox.accountUsername,
  flags: mailbox.flags,
  forward: mailbox.forwardTo ? { addresses: mailbox.forwardTo.split(','), keepCopy: mailbox.forwardKeepCopy } : null,
});

/** Runs the one resolution of domain/resolution.ts over the database: the SMTP listeners and `postyard route` both call this. */
export function createRoutingService({ repos }: ServiceContext, relay: RelayService) {
  const lookups: ResolutionLookups = {
    findDomain: (name) => {
      const domain = repos.domains.findByName(name);
      return domain ? { name: domain.name, accountId: domain.accountId, accountUsername: domain.accountUsername } : null;
    },
    findVirtualAccount: (address) => {
      const mailbox = repos.mailboxes.findByAddress(address);
      return mailbox ? toTarget(mailbox) : null;
    },
    findRule: (domainName, localPart) => repos.aliasRules.findByDomainName(domainName, localPart),
    findUser: (username) => {
      const account = repos.accounts.findByUsername(username);
      if (account) return { kind: 'account', account: { id: account.id, username: account.username } };
      const pop = repos.mailboxes.findPopByUsername(username);
      return pop ? { kind: 'pop', mailbox: toTarget(pop) } : null;
    },
  };

  return {
    resolve(recipient: string, sender: SenderContext = {}): Resolution {
      const relayAllowed = Boolean(sender.authenticatedAs) || (sender.clientAddress ? relay.allows(sender.clientAddress) : false);
      return resolveRecipient(recipient, lookups, { relayAllowed });
    },
  };
}

/** The folder, relative to the data folder, that a local destination writes into. */
export function destinationFolder(destination: Exclude<Destination, { kind: 'remote' }>): string {
  switch (destination.kind) {
    case 'account':
      return accountMaildir(destination.account.username);
    case 'mailbox':
      return mailboxFolder(destination.mailbox.accountUsername, destination.mailbox.name);
    case 'postmaster':
      return POSTMASTER_MAILDIR;
  }
}

export type RoutingService = ReturnType<typeof createRoutingService>;
