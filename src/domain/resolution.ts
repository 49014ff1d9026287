import { parseAddress } from './address.js';
import { formatAliasAction, type AliasAction } from './alias-action.js';
import { WILDCARD } from './map-file.js';
import { hasFlag } from './mailbox-flags.js';

/** What resolution needs to know, as plain lookups: the database stays outside this module. */
export interface HostedDomain {
  name: string;
  accountId: number;
  accountUsername: string;
}

export interface MailboxTarget {
  id: number;
  kind: 'virtual' | 'pop';
  /** The full address of a virtual account, or a POP mailbox's username. */
  name: string;
  accountId: number;
  accountUsername: string;
  flags: number;
  /** The mailbox's own forwarding (DESIGN.md mailbox settings): where to, and whether it keeps a copy. */
  forward?: { addresses: string[]; keepCopy: boolean } | null;
}

export interface AccountTarget {
  id: number;
  username: string;
}

export interface RuleRecord {
  localPart: string;
  action: AliasAction;
}

export interface ResolutionLookups {
  findDomain(name: string): HostedDomain | null;
  findVirtualAccount(address: string): MailboxTarget | null;
  findRule(domain: string, localPart: string): RuleRecord | null;
  findUser(username: string): { kind: 'account'; account: AccountTarget } | { kind: 'pop'; mailbox: MailboxTarget } | null;
}

export interface ResolutionContext {
  /** The client authenticated, or its address is on the relay allow list. */
  relayAllowed: boolean;
}

export type Destination =
  | { kind: 'account'; account: AccountTarget }
  | { kind: 'mailbox'; mailbox: MailboxTarget }
  | { kind: 'remote'; address: string }
  /** The server's own postmaster mailbox, for "postmaster" without a domain (RFC 5321 4.5.1). */
  | { kind: 'postmaster' };

export type Decision = 'virtual-account' | 'named-rule' | 'wildcard-rule' | 'parent-mailbox' | 'relay' | 'postmaster' | 'refused';

/** One step of the explanation: which rule decided for which address, at which forwarding depth. */
export interface Step {
  address: string;
  depth: number;
  decision: Decision;
  /** The deciding rule as a map-file line, for rule decisions. */
  rule?: string;
}

export type RefusalReason =
  | 'MALFORMED_ADDRESS'
  | 'RELAY_DENIED'
  | 'RULE_FAILED'
  | 'MAILBOX_BOUNCES'
  | 'NO_SUCH_USER'
  | 'FORWARD_LOOP';

export interface Refusal {
  reason: RefusalReason;
  /** The rule's own message for RULE_FAILED; otherwise a detail for logs and `postyard route`. */
  message: string | null;
}

export type Resolution =
  | { accepted: true; destinations: Destination[]; steps: Step[] }
  | { accepted: false; refusal: Refusal; steps: Step[] };

/** Forwards may be chained this deep; a longer chain is treated as a loop (RFC 5321 6.3 asks for a bound). */
export const MAX_FORWARD_DEPTH = 10;
/** A fan-out of forwards may visit at most this many addresses for one recipient. */
export const MAX_EXPANDED_ADDRESSES = 500;

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.reason);
  }
}

/**
 * Decides where mail for one recipient goes (DESIGN.md "Where mail goes"): not hosted -> relay or refuse; a virtual
 * account; the domain's rule for the local part, else its "*" rule; else the domain owner's own mailbox. Forwards to
 * local addresses are resolved again by the same steps, with loops and runaway chains refused.
 */
export function resolveRecipient(recipient: string, lookups: ResolutionLookups, context: ResolutionContext): Resolution {
  const steps: Step[] = [];
  const destinations = new Map<string, Destination>();
  let expanded = 0;

  const add = (destination: Destination) => {
    const key = destinationKey(destination);
    if (!destinations.has(key)) destinations.set(key, destination);
  };

  const visit = (text: string, depth: number, chain: readonly string[], forwarded: boolean): void => {
    const parsed = parseAddress(text);
    if ('problem' in parsed) throw new Refused({ reason: 'MALFORMED_ADDRESS', message: parsed.problem });
    const { local, domain } = parsed.address;
    const address = `${local}@${domain}`;
    if (chain.includes(address) || depth > MAX_FORWARD_DEPTH || ++expanded > MAX_EXPANDED_ADDRESSES) {
      steps.push({ address, depth, decision: 'refused' });
      throw new Refused({ reason: 'FORWARD_LOOP', message: `forwarding loops back to or runs too deep at ${address}` });
    }
    const step = (decision: Decision, rule?: string) => steps.push({ address, depth, decision, ...(rule ? { rule } : {}) });

    const hosted = lookups.findDomain(domain);
    if (!hosted) {
      // A forward was set by the domain's owner, so it may leave the server; a client's recipient needs permission.
      if (!forwarded && !context.relayAllowed) {
        step('refused');
        throw new Refused({ reason: 'RELAY_DENIED', message: `${domain} is not hosted here` });
      }
      step('relay');
      return add({ kind: 'remote', address });
    }

    const virtualAccount = lookups.findVirtualAccount(address);
    if (virtualAccount) {
      step('virtual-account');
      return deliverToMailbox(virtualAccount, depth, [...chain, address]);
    }

    const named = lookups.findRule(domain, local);
    const rule = named ?? lookups.findRule(domain, WILDCARD);
    if (rule) {
      step(named ? 'named-rule' : 'wildcard-rule', `${rule.localPart}: ${formatAliasAction(rule.action)}`);
      return applyRule(rule.action, hosted, depth, [...chain, address]);
    }

    step('parent-mailbox');
    add({ kind: 'account', account: { id: hosted.accountId, username: hosted.accountUsername } });
  };

  const deliverToMailbox = (mailbox: MailboxTarget, depth: number, chain: string[]) => {
    if (hasFlag(mailbox.flags, 'bounceMail')) {
      throw new Refused({ reason: 'MAILBOX_BOUNCES', message: `${mailbox.name} is set to bounce mail` });
    }
    if (mailbox.forward && mailbox.forward.addresses.length > 0) {
      for (const target of mailbox.forward.addresses) visit(target, depth + 1, chain, true);
      if (!mailbox.forward.keepCopy) return;
    }
    add({ kind: 'mailbox', mailbox });
  };

  const applyRule = (action: AliasAction, hosted: HostedDomain, depth: number, chain: string[]) => {
    switch (action.kind) {
      case 'fail':
        throw new Refused({ reason: 'RULE_FAILED', message: action.message });
      case 'discard':
        return;
      case 'forward':
        for (const target of action.addresses) visit(target, depth + 1, chain, true);
        return;
      case 'deliver': {
        const user = lookups.findUser(action.username);
        if (!user) throw new Refused({ reason: 'NO_SUCH_USER', message: `${action.username} does not exist` });
        if (user.kind === 'pop') return deliverToMailbox(user.mailbox, depth, chain);
        return add({ kind: 'account', account: user.account });
      }
    }
  };

  // RFC 5321 4.5.1: every SMTP server accepts mail for "postmaster" with no domain.
  if (recipient.trim().toLowerCase() === 'postmaster') {
    return { accepted: true, destinations: [{ kind: 'postmaster' }], steps: [{ address: 'postmaster', depth: 0, decision: 'postmaster' }] };
  }
  try {
    visit(recipient, 0, [], false);
    return { accepted: true, destinations: [...destinations.values()], steps };
  } catch (error) {
    if (error instanceof Refused) return { accepted: false, refusal: error.refusal, steps };
    throw error;
  }
}

/** The key under which two destinations are the same mailbox, so that one message is written there once. */
export function destinationKey(destination: Destination): string {
  switch (destination.kind) {
    case 'account':
      return `account:${destination.account.id}`;
    case 'mailbox':
      return `mailbox:${destination.mailbox.id}`;
    case 'remote':
      return `remote:${destination.address}`;
    case 'postmaster':
      return 'postmaster';
  }
}
