import { parseAddress } from './address.js';

/**
 * Whether a delivered message gets an autoreply (RFC 3834 section 2 and 3.1), decided from plain header data so the
 * rule is tested without a parser, a database or a socket.
 */

/** The few headers of the original message that the decision and the reply need, already decoded. */
export interface OriginalHeaders {
  /** Auto-Submitted (RFC 3834 5), as written: "no", "auto-replied", "auto-generated; ..." */
  autoSubmitted: string | null;
  /** Precedence (RFC 2076): "bulk", "list", "junk" mean mail nobody wants answered. */
  precedence: string | null;
  /** The List-* headers present (RFC 2369, RFC 2919), lower-cased without the prefix: "id", "unsubscribe", ... */
  listHeaders: string[];
  /** Microsoft's X-Auto-Response-Suppress: "All" or "OOF" ask for no out-of-office reply. */
  autoResponseSuppress: string | null;
  /** Every address in To and Cc, lower-cased. */
  recipients: string[];
  subject: string | null;
  /** "<id@host>", or null when missing or malformed. */
  messageId: string | null;
  /** The References header's ids, each "<id@host>". */
  references: string[];
}

export type SkipReason =
  | 'NULL_SENDER'
  | 'INVALID_SENDER'
  | 'SYSTEM_SENDER'
  | 'OWN_ADDRESS'
  | 'AUTO_SUBMITTED'
  | 'BULK'
  | 'MAILING_LIST'
  | 'SUPPRESSED'
  | 'NOT_ADDRESSED';

export type AutoreplyDecision = { reply: true } | { reply: false; reason: SkipReason };

export interface AutoreplyCandidate {
  /** The envelope sender (Return-Path); "" for the null sender of bounces. */
  sender: string;
  headers: OriginalHeaders;
  /** The mailbox's own addresses: its address, its extra addresses, and the address the message reached it by. */
  ownAddresses: readonly string[];
}

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);

/**
 * Senders that are programs, not people (RFC 3834 2, RFC 5230 4.6): MAILER-DAEMON, list robots (owner-*, *-request,
 * *-owner, LISTSERV, majordomo) and addresses that say nobody reads replies.
 */
const SYSTEM_LOCAL_PART = /^(mailer-daemon|listserv|majordomo|owner-.+|.+-request|.+-owner|no-?reply|do-?not-?reply)$/;

/** The null sender: "" or "<>" (RFC 5321 4.5.5). */
export function isNullSender(sender: string): boolean {
  const trimmed = sender.trim();
  return trimmed === '' || trimmed === '<>';
}

export function isSystemSender(sender: string): boolean {
  const address = sender.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  return SYSTEM_LOCAL_PART.test(at < 0 ? address : address.slice(0, at));
}

/** Auto-Submitted with any value but "no" marks mail sent by a program (RFC 3834 5.1); parameters after ";" do not count. */
export function isAutoSubmitted(value: string | null): boolean {
  if (value === null) return false;
  const keyword = value.split(';', 1)[0]!.trim().toLowerCase();
  return keyword !== '' && keyword !== 'no';
}

/**
 * The RFC 3834 decision, checked in this order: the null sender (3.2), an address we could not answer, programs
 * (3.2), the mailbox itself (a loop), Auto-Submitted (5.1), Precedence bulk/list/junk, list headers (2),
 * X-Auto-Response-Suppress, and last whether one of the mailbox's addresses is in To or Cc (3.1.1: Bcc'd mail, lists
 * and mail forwarded from elsewhere get no reply).
 */
export function autoreplyDecision({ sender, headers, ownAddresses }: AutoreplyCandidate): AutoreplyDecision {
  const skip = (reason: SkipReason): AutoreplyDecision => ({ reply: false, reason });
  if (isNullSender(sender)) return skip('NULL_SENDER');
  const parsed = parseAddress(sender);
  if ('problem' in parsed) return skip('INVALID_SENDER');
  const from = `${parsed.address.local}@${parsed.address.domain}`;
  if (isSystemSender(from)) return skip('SYSTEM_SENDER');
  const own = new Set(ownAddresses.map((address) => address.trim().toLowerCase()));
  if (own.has(from)) return skip('OWN_ADDRESS');
  if (isAutoSubmitted(headers.autoSubmitted)) return skip('AUTO_SUBMITTED');
  if (headers.precedence !== null && BULK_PRECEDENCE.has(headers.precedence.trim().toLowerCase())) return skip('BULK');
  if (headers.listHeaders.length > 0) return skip('MAILING_LIST');
  if (headers.autoResponseSuppress !== null && /\b(all|oof)\b/i.test(headers.autoResponseSuppress)) return skip('SUPPRESSED');
  if (!headers.recipients.some((address) => own.has(address.trim().toLowerCase()))) return skip('NOT_ADDRESSED');
  return { reply: true };
}
