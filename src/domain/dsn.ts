import { formatMessageDate } from './message-headers.js';

/**
 * The delivery status notification (RFC 3464) that tells a sender which recipients of a message failed: a
 * multipart/report (RFC 6522) with a human-readable part, a message/delivery-status part and the original headers.
 * Pure: built from plain data, with CRLF line ends, as RFC 5322 writes a message.
 */

export interface FailedRecipient {
  address: string;
  /** RFC 3463 status, like 5.1.1 (or 4.4.7 when the retry period ran out). */
  status: string;
  /** 'smtp' for a reply of the relay host; another type (X-Postyard) for a failure without one. */
  diagnosticType: string;
  diagnostic: string;
  /** The host that gave the reply, when one did. */
  remoteMta: string | null;
  lastAttemptAt: Date | null;
  /** True when the recipient was still failing temporarily at the end of the retry period. */
  expired: boolean;
}

export interface DsnInput {
  /** This server's host name: Reporting-MTA and the MAILER-DAEMON address. */
  reportingMta: string;
  /** The original envelope sender, who receives the report. */
  sender: string;
  arrivalDate: Date;
  recipients: readonly FailedRecipient[];
  /** The original message's header block, as stored. */
  originalHeaders: string;
  date: Date;
  /** The left part of the report's Message-ID. */
  messageId: string;
  boundary: string;
}

export const BOUNCE_SUBJECT = 'Undelivered Mail Returned to Sender';

/** The header block of a message: the lines before the first empty line (LF or CRLF line ends), without a final line end. */
export function headerBlockOf(message: string): string {
  const match = /\r?\n\r?\n/.exec(message);
  return (match ? message.slice(0, match.index) : message).replace(/\r?\n$/, '');
}

/**
 * Text from a remote reply or an error goes into a header field: one line of printable US-ASCII (message/delivery-status
 * is US-ASCII, RFC 3464 2.1.1), runs of white space as one space, and short enough for a header line.
 */
export function dsnFieldText(text: string, maxLength = 500): string {
  const cleaned = text.replace(/[\r\n\t ]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 3)}...` : cleaned;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const hasNonAscii = (text: string) => /[^\x00-\x7f]/.test(text);

function humanPart(input: DsnInput): string {
  const lines = [
    `This is the mail system at host ${input.reportingMta}.`,
    '',
    "I'm sorry to have to inform you that your message could not be delivered to one or more recipients. Its",
    'headers are attached below.',
    '',
  ];
  if (input.recipients.some((recipient) => recipient.expired)) {
    lines.push('Where it says so, the mail system kept trying until the retry period ended, then gave up.', '');
  }
  for (const recipient of input.recipients) {
    const why = recipient.expired ? `gave up after the retry period; last error: ${recipient.diagnostic}` : recipient.diagnostic;
    lines.push(`<${recipient.address}>: ${dsnFieldText(why, 900)}`);
  }
  return lines.join('\n');
}

function statusPart(input: DsnInput): string {
  const perMessage = [`Reporting-MTA: dns; ${input.reportingMta}`, `Arrival-Date: ${formatMessageDate(input.arrivalDate)}`];
  // RFC 3464 2.1: the per-message fields, then one block per recipient, blocks separated by an empty line.
  const perRecipient = input.recipients.map((recipient) =>
    [
      `Final-Recipient: rfc822; ${recipient.address}`,
      'Action: failed',
      `Status: ${recipient.status}`,
      ...(recipient.remoteMta ? [`Remote-MTA: dns; ${dsnFieldText(recipient.remoteMta, 255)}`] : []),
      `Diagnostic-Code: ${recipient.diagnosticType}; ${dsnFieldText(recipient.diagnostic)}`,
      ...(recipient.lastAttemptAt ? [`Last-Attempt-Date: ${formatMessageDate(recipient.lastAttemptAt)}`] : []),
    ].join('\n'),
  );
  return [perMessage.join('\n'), ...perRecipient].join('\n\n');
}

/** The whole report, ready to deliver to the sender with a null envelope sender. */
export function buildDsn(input: DsnInput): string {
  const human = humanPart(input);
  const headers = headerBlockOf(input.originalHeaders);
  const part = (contentHeaders: string[], body: string) =>
    `--${input.boundary}\n${contentHeaders.join('\n')}\n\n${body}\n`;
  const eightBit = (text: string) => (hasNonAscii(text) ? ['Content-Transfer-Encoding: 8bit'] : []);

  const message = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${input.sender}>`,
    `Subject: ${BOUNCE_SUBJECT}`,
    `Date: ${formatMessageDate(input.date)}`,
    `Message-ID: <${input.messageId}@${input.reportingMta}>`,
    // RFC 3834 5: a report is an automatic response; nothing should answer it automatically.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="${input.boundary}"`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    part(['Content-Description: Notification', 'Content-Type: text/plain; charset=utf-8', ...eightBit(human)], human) +
      part(['Content-Description: Delivery report', 'Content-Type: message/delivery-status'], statusPart(input)) +
      part(['Content-Description: Undelivered Message Headers', 'Content-Type: text/rfc822-headers', ...eightBit(headers)], headers) +
      `--${input.boundary}--\n`,
  ].join('\n');
  return crlf(message);
}
