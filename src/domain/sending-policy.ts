import addressparser from 'nodemailer/lib/addressparser';
import { parseAddress } from './address.js';
import { hasFlag } from './mailbox-flags.js';
import { WILDCARD } from './map-file.js';
import type { Resolution } from './resolution.js';

/**
 * The rules of authenticated sending (DESIGN.md "Limits that mail obeys", seed 001): whose addresses a user may send
 * as, the hourly window, and the vpopmail no-relay flag. Plain data in, values out; the service supplies the facts.
 */

/** What the database knows about one sending user. */
export interface SenderFacts {
  /** A virtual account's own address; null for a POP mailbox or an account. */
  ownAddress: string | null;
  /** The mailbox's extra addresses (mailbox settings); empty for an account. */
  extraAddresses: readonly string[];
  /**
   * "local@domain" of each alias rule that delivers to the user's username ("*@domain" for a catch-all); empty for a
   * virtual account, since rules deliver to usernames.
   */
  deliverRules: readonly string[];
  /** Domains the account hosts itself; empty for a mailbox. */
  hostedDomains: readonly string[];
  /** Domains its child accounts host, for a parent account; empty otherwise. */
  childDomains: readonly string[];
}

/** The addresses a user may send as: exact addresses, and domains of which every address is theirs. */
export interface SenderIdentity {
  addresses: ReadonlySet<string>;
  domains: ReadonlySet<string>;
}

/**
 * A virtual account sends as its address and its extra addresses; a POP mailbox as the addresses of the named rules
 * that deliver to it (its default alias among them); an account as any address of a domain it or, for a parent, one
 * of its children hosts, and as the named rules that deliver to it (seed 000's `info: bcsales1`). A `*` rule confers
 * nothing: catching a domain's stray mail is not owning every address of it.
 */
export function senderIdentity(facts: SenderFacts): SenderIdentity {
  const named = facts.deliverRules.filter((rule) => !rule.startsWith(`${WILDCARD}@`));
  const addresses = [...(facts.ownAddress ? [facts.ownAddress] : []), ...facts.extraAddresses, ...named];
  return {
    addresses: new Set(addresses.map((address) => address.toLowerCase())),
    domains: new Set([...facts.hostedDomains, ...facts.childDomains].map((domain) => domain.toLowerCase())),
  };
}

/** Whether the user may send as `address`; the null sender and malformed addresses belong to no one. */
export function ownsAddress(identity: SenderIdentity, address: string): boolean {
  const parsed = parseAddress(address);
  if ('problem' in parsed) return false;
  const { local, domain } = parsed.address;
  return identity.domains.has(domain) || identity.addresses.has(`${local}@${domain}`);
}

/**
 * The header block of a message: everything before the first empty line (all of it when there is none). Found in the
 * bytes, so that only the headers are decoded, never a large body.
 */
export function headerBlockOf(message: Uint8Array): string {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (bytes[0] === 0x0a || (bytes[0] === 0x0d && bytes[1] === 0x0a)) return ''; // no headers at all
  const ends = [bytes.indexOf('\n\n'), bytes.indexOf('\n\r\n')].filter((index) => index >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : bytes.length;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * Every address of every From field of a header block (RFC 5322 3.6.2 allows a list, and a forger may add a second
 * From field hoping a reader shows that one). A From field without an address yields "", which nobody owns.
 */
export function fromHeaderAddresses(headerBlock: string): string[] {
  const fields: string[] = [];
  for (const line of headerBlock.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += ` ${line.trim()}`; // RFC 5322 2.2.3 unfolding
    else fields.push(line);
  }
  return fields
    .filter((field) => /^from[ \t]*:/i.test(field))
    .flatMap((field) => {
      const parsed = addressparser(field.slice(field.indexOf(':') + 1), { flatten: true });
      const addresses = parsed.map((entry) => (entry.address ?? '').trim());
      return addresses.length > 0 ? addresses : [''];
    });
}

/** The first address in the From fields that the user does not own, or null when they own all (or there are none). */
export function foreignFromAddress(identity: SenderIdentity, headerBlock: string): string | null {
  return fromHeaderAddresses(headerBlock).find((address) => !ownsAddress(identity, address)) ?? null;
}

/** The hourly limit counts the messages accepted in the hour before now (seed 001: 500 messages an hour). */
export const SEND_WINDOW_MS = 60 * 60 * 1000;

export function sendWindowStart(now: number): number {
  return now - SEND_WINDOW_MS;
}

/** The messages a user sent inside the window: how many, and when the oldest of them was sent. */
export interface SentInWindow {
  count: number;
  oldest: number | null;
}

export type SendRateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAt: number };

/** One more message is allowed while fewer than `limit` were sent in the window; otherwise not before the oldest leaves it. */
export function sendRateVerdict(sent: SentInWindow, limit: number, now: number): SendRateVerdict {
  if (sent.count < limit) return { allowed: true, remaining: limit - sent.count };
  return { allowed: false, retryAt: Math.max(now, (sent.oldest ?? now) + SEND_WINDOW_MS) };
}

/** The recipient leaves the server: its domain is not hosted here, so resolution relays it. */
export function isRemoteRecipient(resolution: Resolution): boolean {
  return resolution.steps[0]?.decision === 'relay';
}

/** vpopmail's no-relay flag (`vmoduser -r`): the user may send to hosted domains only. Accounts carry no flags. */
export function relayForbidden(flags: number | null, resolution: Resolution): boolean {
  return flags !== null && hasFlag(flags, 'noRelay') && isRemoteRecipient(resolution);
}
