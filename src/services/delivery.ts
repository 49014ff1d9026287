import { randomBytes } from 'node:crypto';
import { accountMaildir } from '../domain/layout.js';
import { crossesWarningLine } from '../domain/quota.js';
import { destinationKey, type Destination, type MailboxTarget, type RefusalReason, type Resolution } from '../domain/resolution.js';
import { formatBytes } from '../domain/size.js';
import { deliveryHeaders, quotaWarningMessage, receivedHeader, toMaildirLineEnds, type TraceInfo } from '../domain/message-headers.js';
import type { StoredMessage } from '../maildir/mail-store.js';
import type { ServiceContext } from './context.js';
import { createKeyedLock } from './keyed-lock.js';
import type { LocalDestination, QuotaService } from './quotas.js';
import { destinationFolder, type RoutingService, type SenderContext } from './routing.js';

export type RecipientVerdict =
  | { accepted: true; recipient: string; destinations: Destination[]; resolution: Resolution }
  | { accepted: false; recipient: string; reason: RefusalReason | 'MAILBOX_FULL' | 'DISK_FULL'; message: string | null; resolution: Resolution };

export type AcceptedRecipient = Extract<RecipientVerdict, { accepted: true }>;

/** What the listener knows about the session, for the trace headers. */
export interface Envelope {
  sender: string;
  helo: string;
  clientHostname: string;
  clientAddress: string;
  protocol: string;
  id: string;
}

export interface DeliveryReport {
  /** Files written into mailboxes, one per distinct mailbox. */
  copies: StoredMessage[];
  /** Remote recipients put into the outbound queue. */
  queued: string[];
}

/**
 * Told about each delivered message once its copies are durable: the mailboxes (virtual accounts and POP mailboxes)
 * that got a copy, and the recipient that led to each. It runs before the SMTP reply, so it must return at once and
 * never throw (the autoreply responder starts its work and logs its own failures).
 */
export type DeliveryListener = (envelope: Envelope, copies: Array<{ mailbox: MailboxTarget; recipient: string }>, content: Buffer) => void;

/**
 * From resolved recipients to durable copies: each distinct mailbox gets one file, written with the Maildir protocol
 * and synced before this resolves; remote recipients go into the outbound queue in the same step. If any copy fails,
 * the copies already written are withdrawn, so a sender's retry never duplicates a message.
 */
export function createDeliveryService({ repos, store, hostname }: ServiceContext, routing: RoutingService, quotas: QuotaService) {
  const withLock = createKeyedLock();
  const listeners: DeliveryListener[] = [];

  async function checkRecipient(recipient: string, sender: SenderContext, declaredSize = 0): Promise<RecipientVerdict> {
    const resolution = routing.resolve(recipient, sender);
    if (!resolution.accepted) {
      return { accepted: false, recipient, reason: resolution.refusal.reason, message: resolution.refusal.message, resolution };
    }
    for (const destination of resolution.destinations) {
      if (destination.kind === 'remote' || destination.kind === 'postmaster') continue;
      const room = await quotas.room(destination, declaredSize);
      if (!room.mailbox.fits) return { accepted: false, recipient, reason: 'MAILBOX_FULL', message: null, resolution };
      if (!room.disk.fits) return { accepted: false, recipient, reason: 'DISK_FULL', message: null, resolution };
    }
    // Stored lower-cased, as addresses are: Delivered-To then names the mailbox the same way whatever the client typed.
    return { accepted: true, recipient: recipient.trim().toLowerCase(), destinations: resolution.destinations, resolution };
  }

  async function writeWarning(folder: string, to: string, usage: number, limit: number) {
    const text = quotaWarningMessage(
      { to, serverHostname: hostname, usage, limit, date: new Date(), messageId: randomBytes(9).toString('hex') },
      formatBytes,
    );
    await store.deliver(folder, [Buffer.from(text, 'utf8')]);
  }

  /**
   * Writes one copy, and the 90 % warning when this copy crosses a line. A folder with a limit takes one writer at a
   * time, so each delivery sees the one before it; the account's total is advanced synchronously (recordDelivery), so
   * deliveries to its other folders run in parallel and still only one of them crosses the account's line.
   */
  async function writeCopy(destination: Exclude<Destination, { kind: 'remote' }>, parts: Buffer[], size: number): Promise<StoredMessage> {
    const folder = destinationFolder(destination);
    if (destination.kind === 'postmaster') return store.deliver(folder, parts);
    const firstLook = await quotas.room(destination, size);
    if (firstLook.mailbox.limit === null && firstLook.disk.limit === null) return store.deliver(folder, parts);
    return withLock(folder, async () => {
      const room = firstLook.mailbox.limit === null ? firstLook : await quotas.room(destination, size);
      const stored = await store.deliver(folder, parts);
      const disk = quotas.recordDelivery(room.account.id, size);
      const { mailbox } = room;
      const owner = destination.kind === 'account' ? destination.account.username : destination.mailbox.name;
      if (room.notify && crossesWarningLine(mailbox.usage, mailbox.usage + size, mailbox.limit)) {
        await writeWarning(folder, owner, mailbox.usage + size, mailbox.limit!);
      }
      if (disk && crossesWarningLine(disk.before, disk.after, room.disk.limit)) {
        await writeWarning(accountMaildir(room.account.username), room.account.username, disk.after, room.disk.limit!);
      }
      return stored;
    });
  }

  async function deliver(envelope: Envelope, recipients: readonly AcceptedRecipient[], raw: Buffer): Promise<DeliveryReport> {
    const content = toMaildirLineEnds(raw);
    const date = new Date();
    const local = new Map<string, { destination: Exclude<Destination, { kind: 'remote' }>; recipient: string }>();
    const remote = new Set<string>();
    for (const { recipient, destinations } of recipients) {
      for (const destination of destinations) {
        if (destination.kind === 'remote') remote.add(destination.address);
        else if (!local.has(destinationKey(destination))) local.set(destinationKey(destination), { destination, recipient });
      }
    }
    const trace = (recipient: string | null): TraceInfo => ({ ...envelope, recipient, serverHostname: hostname, date });

    // Every copy is waited for, so that on a failure each one already written can be withdrawn.
    const outcomes = await Promise.allSettled(
      [...local.values()].map(({ destination, recipient }) => {
        const header = Buffer.from(deliveryHeaders(trace(recipient)), 'utf8');
        return writeCopy(destination, [header, content], header.length + content.length);
      }),
    );
    const written = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    try {
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure) throw failure.reason;
      if (remote.size > 0) {
        const header = Buffer.from(receivedHeader(trace(remote.size === 1 ? [...remote][0]! : null)), 'utf8');
        repos.outboundQueue.enqueue(envelope.sender, Buffer.concat([header, content]), [...remote]);
      }
    } catch (error) {
      await Promise.all(written.map((message) => store.withdraw(message)));
      throw error;
    }
    const mailboxCopies = [...local.values()].flatMap(({ destination, recipient }) =>
      destination.kind === 'mailbox' ? [{ mailbox: destination.mailbox, recipient }] : [],
    );
    if (mailboxCopies.length > 0) for (const listener of listeners) listener(envelope, mailboxCopies, content);
    return { copies: written, queued: [...remote] };
  }

  /** Adds a listener for delivered messages (services/index.ts wires the autoreply responder here). */
  const onDelivered = (listener: DeliveryListener) => void listeners.push(listener);

  return { checkRecipient, deliver, onDelivered };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
