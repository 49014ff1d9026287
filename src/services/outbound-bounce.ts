import { randomBytes } from 'node:crypto';
import { buildDsn, headerBlockOf, type FailedRecipient } from '../domain/dsn.js';
import { EXPIRED_STATUS, retryDelay } from '../domain/retry-schedule.js';
import type { ServiceContext } from './context.js';
import type { DeliveryService, Envelope } from './delivery.js';
import type { SenderContext } from './routing.js';

export type BounceResult =
  | { kind: 'none' }
  /** The report was delivered to the sender's mailbox, or queued for a remote sender (or, refused, to the postmaster). */
  | { kind: 'bounced'; to: string; recipients: string[]; toPostmaster: boolean }
  /** The failed message was itself a bounce (null sender): never bounce a bounce. */
  | { kind: 'dropped'; recipients: string[] }
  /** The report could not be written yet (disk, database); the failed rows wait and are bounced later. */
  | { kind: 'postponed'; recipients: string[]; error: unknown; retryAt: Date };

/** The report is mail from the server itself: it may go to a remote sender like an authenticated user's mail. */
const SERVER_ITSELF: SenderContext = { authenticatedAs: 'MAILER-DAEMON' };

/**
 * Returns the failed recipients of one message to its sender in one delivery status notification, through the core
 * delivery (a local sender's mailbox, or the outbound queue with a null sender). The failed rows go only after that
 * report is durable, so a crash in between sends it twice rather than never.
 */
export function createBounceService({ repos, hostname }: ServiceContext, delivery: DeliveryService) {
  const queue = repos.outboundQueue;

  async function bounceFailures(messageId: number, token: string, now: Date): Promise<BounceResult> {
    const failures = queue.claimedFailures(messageId, token);
    const message = queue.message(messageId);
    if (failures.length === 0 || !message) return { kind: 'none' };
    const ids = failures.map((row) => row.id);
    const recipients = failures.map((row) => row.recipient);
    if (message.sender === '') {
      queue.removeClaimed(ids, token);
      return { kind: 'dropped', recipients };
    }

    const failed: FailedRecipient[] = failures.map((row) => ({
      address: row.recipient,
      status: row.status,
      diagnosticType: row.diagnosticType,
      diagnostic: row.diagnostic,
      remoteMta: row.remoteMta,
      lastAttemptAt: row.lastAttemptAt ? new Date(row.lastAttemptAt) : null,
      expired: row.status === EXPIRED_STATUS,
    }));
    const report = buildDsn({
      reportingMta: hostname,
      sender: message.sender,
      arrivalDate: new Date(message.createdAt),
      recipients: failed,
      originalHeaders: headerBlockOf(message.content.toString('utf8')),
      date: now,
      messageId: `${randomBytes(12).toString('hex')}.bounce`,
      boundary: `=_postyard_${randomBytes(18).toString('base64url')}`,
    });
    const envelope: Envelope = {
      sender: '',
      helo: hostname,
      clientHostname: 'localhost',
      clientAddress: '127.0.0.1',
      protocol: 'local',
      id: `bounce-${messageId}`,
    };

    try {
      let verdict = await delivery.checkRecipient(message.sender, SERVER_ITSELF);
      // A sender we cannot deliver to (a local address that refuses mail) gets nothing; the postmaster gets the report,
      // as Postfix's double bounce does, so the failure is still seen by someone.
      const toPostmaster = !verdict.accepted;
      if (!verdict.accepted) verdict = await delivery.checkRecipient('postmaster', SERVER_ITSELF);
      if (!verdict.accepted) throw new Error(`the postmaster mailbox refused the report: ${verdict.reason}`);
      await delivery.deliver(envelope, [verdict], Buffer.from(report, 'utf8'));
      queue.removeClaimed(ids, token);
      return { kind: 'bounced', to: toPostmaster ? 'postmaster' : message.sender, recipients, toPostmaster };
    } catch (error) {
      const retryAt = new Date(now.getTime() + retryDelay(1));
      queue.postpone(ids, token, retryAt.toISOString(), `bounce to <${message.sender}> not written yet: ${String(error)}`);
      return { kind: 'postponed', recipients, error, retryAt };
    }
  }

  return { bounceFailures };
}

export type BounceService = ReturnType<typeof createBounceService>;
