import { randomBytes } from 'node:crypto';
import { autoreplyDecision, isNullSender } from '../domain/autoreply.js';
import { buildAutoreplyMessage } from '../domain/autoreply-message.js';
import { isAutoreplyActive, isReplyDue, localDateOf } from '../domain/autoreply-schedule.js';
import type { MailboxTarget } from '../domain/resolution.js';
import type { AutoreplyRepository } from '../db/repositories/autoreplies.js';
import { readOriginalHeaders } from './autoreply-headers.js';
import type { ServiceContext } from './context.js';
import type { DeliveryService, Envelope } from './delivery.js';
import { createOwnAddresses } from './forwarding.js';

/** Where an autoreply failure is reported; pino's logger fits. */
export interface FailureLog {
  error(details: object, message: string): void;
}

/** A mailbox that just received a durable copy of a message, and the recipient address that led there. */
export interface DeliveredCopy {
  mailbox: Pick<MailboxTarget, 'id' | 'name'>;
  recipient: string;
}

/** Written as one JSON line to stderr, the way pino writes, when no logger was given. */
const stderrLog: FailureLog = {
  error: (details, message) => process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), msg: message, ...errorDetails(details) })}\n`),
};

function errorDetails(details: object): object {
  const { err, ...rest } = details as { err?: unknown };
  return err instanceof Error ? { ...rest, err: { message: err.message, stack: err.stack } } : details;
}

/**
 * Answers delivered mail for mailboxes with an autoreply on (RFC 3834). It runs after the copies are durable and
 * apart from the SMTP reply: respond() returns at once, never throws, and a failure is logged, never turned into a
 * refusal of the original message. The reply goes through the delivery service with the null sender (RFC 3834 3.3),
 * so a local sender finds it in its mailbox and a remote one gets it through the outbound queue.
 */
export function createAutoreplyResponder(
  { db, repos, hostname }: ServiceContext,
  autoreplies: AutoreplyRepository,
  delivery: Pick<DeliveryService, 'checkRecipient' | 'deliver'>,
  log: FailureLog = stderrLog,
) {
  const pending = new Set<Promise<void>>();
  const ownAddresses = createOwnAddresses({ repos });

  /**
   * Takes this sender's turn in the vacation database, atomically, so two messages arriving together get one reply.
   * Returns the previous reply time to put back if sending fails, or false when the sender is not due.
   */
  const claimTurn = db.transaction((mailboxId: number, sender: string, now: Date, periodDays: number): { previous: Date | null } | false => {
    const previous = autoreplies.lastReplied(mailboxId, sender);
    if (!isReplyDue(previous, now, periodDays)) return false;
    autoreplies.recordReply(mailboxId, sender, now);
    return { previous };
  });

  const giveBackTurn = (mailboxId: number, sender: string, previous: Date | null) => {
    if (previous === null) autoreplies.forgetReply(mailboxId, sender);
    else autoreplies.recordReply(mailboxId, sender, previous);
  };

  async function answer(sender: string, copy: DeliveredCopy, content: Buffer): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // after the SMTP reply is on its way, not before
    const now = new Date();
    const settings = autoreplies.find(copy.mailbox.id);
    if (!settings || !isAutoreplyActive(settings, localDateOf(now))) return;
    const mailbox = repos.mailboxes.findById(copy.mailbox.id);
    if (!mailbox) return;
    const headers = await readOriginalHeaders(content);
    const own = ownAddresses(mailbox);
    const decision = autoreplyDecision({ sender, headers, ownAddresses: [...own, copy.recipient] });
    if (!decision.reply) return;

    const to = sender.trim().toLowerCase();
    const turn = claimTurn(mailbox.id, to, now, settings.periodDays);
    if (!turn) return;
    try {
      // The mailbox is the reply's author, so it may leave the server like mail the mailbox user sends.
      const verdict = await delivery.checkRecipient(to, { authenticatedAs: mailbox.name });
      if (!verdict.accepted) return; // a sender we cannot deliver to now (full, refusing): no reply, and no retry every message
      const message = buildAutoreplyMessage({
        from: own[0] ?? copy.recipient,
        displayName: mailbox.displayName,
        to,
        subject: settings.subject,
        text: settings.text,
        original: headers,
        date: now,
        messageId: `<${randomBytes(12).toString('hex')}.autoreply@${hostname}>`,
      });
      const envelope: Envelope = { sender: '', helo: hostname, clientHostname: 'localhost', clientAddress: '127.0.0.1', protocol: 'local', id: randomBytes(6).toString('hex') };
      await delivery.deliver(envelope, [verdict], Buffer.from(message, 'utf8'));
    } catch (error) {
      giveBackTurn(mailbox.id, to, turn.previous);
      throw error;
    }
  }

  return {
    /** Called by the delivery service after each message's copies are durable. Returns at once; never throws. */
    respond(envelope: Pick<Envelope, 'sender'>, copies: readonly DeliveredCopy[], content: Buffer): void {
      if (isNullSender(envelope.sender)) return; // bounces and autoreplies themselves are never answered (RFC 3834 3.2)
      for (const copy of copies) {
        const task = answer(envelope.sender, copy, content).catch((error: unknown) => {
          try {
            log.error({ err: error, mailbox: copy.mailbox.name, sender: envelope.sender }, 'autoreply failed; the message itself was delivered');
          } catch {
            // a failing logger must not turn into an unhandled rejection
          }
        });
        pending.add(task);
        void task.finally(() => pending.delete(task));
      }
    },

    /** Resolves when every autoreply started so far is sent or given up: for tests and a clean shutdown. */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type AutoreplyResponder = ReturnType<typeof createAutoreplyResponder>;
