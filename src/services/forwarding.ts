import { z } from 'zod';
import { MAX_FORWARD_ADDRESSES } from '../domain/alias-action.js';
import { PostyardError, invalid } from '../domain/errors.js';
import { emailSchema, parseInput } from '../domain/schemas.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { ServiceContext } from './context.js';
import type { MailboxService } from './mailboxes.js';
import type { RoutingService } from './routing.js';

/**
 * Addresses as one text (commas, semicolons, spaces or line ends between them) or as a list; each checked, each kept
 * once. A bad one is reported under the field itself, naming the address, so a form shows it beside the input.
 */
const addressListSchema = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parts = (typeof value === 'string' ? value.split(/[\s,;]+/) : value).map((part) => part.trim()).filter(Boolean);
  const addresses: string[] = [];
  for (const part of parts) {
    const checked = emailSchema.safeParse(part);
    if (checked.success) addresses.push(checked.data);
    else ctx.addIssue({ code: 'custom', message: `${shown(part)}: ${checked.error.issues[0]?.message ?? 'is not an address'}` });
  }
  const unique = [...new Set(addresses)];
  if (parts.length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one address to forward to' });
  if (unique.length > MAX_FORWARD_ADDRESSES) ctx.addIssue({ code: 'custom', message: `forward to at most ${MAX_FORWARD_ADDRESSES} addresses` });
  return unique;
});

/** An address as typed, quoted back safely: short, without control characters. */
const shown = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text).replace(/[\u0000-\u001f\u007f]/g, '?');

export const forwardingSchema = z.object({
  addresses: addressListSchema,
  keepCopy: z.boolean().default(false),
});
export type ForwardingInput = z.input<typeof forwardingSchema>;

export interface Forwarding {
  addresses: string[];
  keepCopy: boolean;
}

/**
 * Every address that reaches this mailbox directly, its main one first: a virtual account's address (a POP mailbox's
 * is username@domain, when it has a domain), then its extra addresses.
 */
export function createOwnAddresses({ repos }: Pick<ServiceContext, 'repos'>) {
  const extra = repos.mailboxAddresses;
  return (mailbox: Mailbox): string[] => {
    const primary = mailbox.kind === 'virtual' ? [mailbox.name] : mailbox.domainName ? [`${mailbox.name}@${mailbox.domainName}`] : [];
    return [...new Set([...primary, ...extra.listByMailbox(mailbox.id)])];
  };
}

export const forwardingOf = (mailbox: Mailbox): Forwarding | null =>
  mailbox.forwardTo ? { addresses: mailbox.forwardTo.split(','), keepCopy: mailbox.forwardKeepCopy } : null;

const kindName = (mailbox: Mailbox) => (mailbox.kind === 'virtual' ? 'virtual-account' : 'pop-mailbox');

/**
 * A mailbox's own forwarding (DESIGN.md mailbox settings): to one or more local or remote addresses, with or without a
 * copy kept. The resolution follows it; this service refuses what would make the mailbox refuse its own mail.
 */
export function createForwardingService({ db, repos, audit }: ServiceContext, mailboxes: MailboxService, routing: RoutingService) {
  const ownAddresses = createOwnAddresses({ repos });
  /**
   * Writes the forwarding and checks, inside the same transaction, that mail for the mailbox still resolves: a forward
   * into a loop, or to an address whose rule fails, would make the mailbox refuse its own mail. A mailbox that refused
   * mail before (the bounce flag) is not the forwarding's fault and does not stop it.
   */
  const save = db.transaction((mailbox: Mailbox, forwarding: Forwarding | null) => {
    const [address] = ownAddresses(mailbox);
    const before = forwarding && address !== undefined ? routing.resolve(address) : null;
    repos.mailboxes.setForwarding(mailbox.id, forwarding?.addresses ?? null, forwarding?.keepCopy ?? true);
    if (!before?.accepted || address === undefined) return;
    const after = routing.resolve(address);
    if (!after.accepted) {
      const why = after.refusal.reason === 'FORWARD_LOOP' ? 'the forwarding would loop' : (after.refusal.message ?? after.refusal.reason);
      throw new PostyardError('INVALID_INPUT', `addresses: mail for ${address} would be refused: ${why}`, [
        { field: 'addresses', message: `mail for ${address} would be refused: ${why}` },
      ]);
    }
  });

  return {
    get: (name: string): Forwarding | null => forwardingOf(mailboxes.get(name)),

    /** Sets the forwarding; synchronous, so that an import can set many inside one transaction. */
    set(name: string, input: ForwardingInput): Mailbox {
      const mailbox = mailboxes.get(name);
      const { addresses, keepCopy } = parseInput(forwardingSchema, input);
      const own = new Set(ownAddresses(mailbox));
      const self = addresses.find((address) => own.has(address));
      if (self) throw invalid('addresses', `${self} is this mailbox's own address: its mail would come straight back`);
      save(mailbox, { addresses, keepCopy });
      const updated = repos.mailboxes.findById(mailbox.id)!;
      audit.record(`${kindName(mailbox)}.forwarding`, mailbox.name, mailbox.accountUsername, forwardingOf(mailbox), forwardingOf(updated));
      return updated;
    },

    /** Stops forwarding: mail stays in the mailbox again. Returns what was removed, or null when nothing was set. */
    remove(name: string): Forwarding | null {
      const mailbox = mailboxes.get(name);
      const before = forwardingOf(mailbox);
      if (!before) return null;
      save(mailbox, null);
      audit.record(`${kindName(mailbox)}.forwarding`, mailbox.name, mailbox.accountUsername, before, null);
      return before;
    },
  };
}

export type ForwardingService = ReturnType<typeof createForwardingService>;
