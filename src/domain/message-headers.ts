/** Trace headers and generated messages, as text. Maildir files use LF line ends, as Postfix and Dovecot write them. */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 3.3 date-time, in UTC. */
export function formatMessageDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Client-supplied words (HELO name, reverse DNS) go into a header: keep them to one short printable token. */
export function headerSafe(text: string | undefined, fallback = 'unknown'): string {
  const cleaned = (text ?? '').replace(/[^\x21-\x7e]/g, '').replace(/[()]/g, '').slice(0, 255);
  return cleaned || fallback;
}

export interface TraceInfo {
  sender: string;
  recipient: string | null;
  helo: string;
  clientHostname: string;
  clientAddress: string;
  serverHostname: string;
  /** "ESMTP", "ESMTPS", "ESMTPA" or "ESMTPSA" (RFC 3848). */
  protocol: string;
  id: string;
  date: Date;
}

/** The Received header of RFC 5321 4.4; `for` names the recipient only when there is exactly one. */
export function receivedHeader(trace: TraceInfo): string {
  const forClause = trace.recipient ? `\n\tfor <${trace.recipient}>` : '';
  return `Received: from ${headerSafe(trace.helo)} (${headerSafe(trace.clientHostname)} [${headerSafe(trace.clientAddress)}])\n` +
    `\tby ${trace.serverHostname} (Postyard) with ${trace.protocol} id ${trace.id}${forClause};\n` +
    `\t${formatMessageDate(trace.date)}\n`;
}

/** Return-Path and Delivered-To for a final delivery (RFC 5321 4.4), followed by the Received header. */
export function deliveryHeaders(trace: TraceInfo): string {
  return `Return-Path: <${trace.sender}>\nDelivered-To: ${trace.recipient}\n${receivedHeader(trace)}`;
}

/** Converts SMTP's CRLF line ends to the LF that Maildir files use. */
export function toMaildirLineEnds(content: Buffer): Buffer {
  if (content.indexOf('\r\n') < 0) return content;
  return Buffer.from(content.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

export interface QuotaWarning {
  to: string;
  serverHostname: string;
  usage: number;
  limit: number;
  date: Date;
  messageId: string;
}

/** The one message put into a mailbox that crossed 90 % of its limit. Auto-Submitted so no autoreply answers it. */
export function quotaWarningMessage(warning: QuotaWarning, formatSize: (bytes: number) => string): string {
  const percent = Math.floor((warning.usage / warning.limit) * 100);
  return [
    `From: Mail Delivery System <postmaster@${warning.serverHostname}>`,
    `To: <${warning.to}>`,
    `Subject: Your mailbox is ${percent}% full`,
    `Date: ${formatMessageDate(warning.date)}`,
    `Message-ID: <${warning.messageId}@${warning.serverHostname}>`,
    'Auto-Submitted: auto-generated',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your mailbox ${warning.to} uses ${formatSize(warning.usage)} of its ${formatSize(warning.limit)} limit (${percent}%).`,
    '',
    'When it is full, new mail to it will be refused. Delete old messages, or ask your',
    'provider for a larger limit.',
    '',
  ].join('\n');
}
