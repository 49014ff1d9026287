import { formatMessageDate } from './message-headers.js';

/** The autoreply message itself (RFC 3834 3.1 and 5), as text with LF line ends like every stored message. */

export interface AutoreplyDraft {
  /** The mailbox's address: the reply's From (RFC 3834 3.1.4). */
  from: string;
  displayName: string;
  /** The original's envelope sender (RFC 3834 3.1.2). */
  to: string;
  /** The autoreply's own subject; empty or null means "Auto: " and the original subject (RFC 3834 3.1.5). */
  subject: string | null;
  text: string;
  original: { subject: string | null; messageId: string | null; references: readonly string[] };
  date: Date;
  /** A fresh "<id@host>" for this reply. */
  messageId: string;
}

/** An id as a Message-ID must be written: one "<...>" without spaces or brackets inside. */
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+>$/;
/** References keep the newest ids only (RFC 5322 3.6.4 allows trimming), so a long thread cannot grow the header without end. */
const MAX_REFERENCES = 20;
const MAX_ORIGINAL_SUBJECT = 200;

export function isMessageId(text: string | null): text is string {
  return text !== null && text.length <= 998 && MESSAGE_ID.test(text);
}

/** The subject of the reply: the configured one, else "Auto: " and the original's, on one line. */
export function replySubject(configured: string | null, original: string | null): string {
  if (configured !== null && configured.trim() !== '') return oneLine(configured);
  const originalSubject = oneLine(original ?? '').slice(0, MAX_ORIGINAL_SUBJECT);
  return `Auto: ${originalSubject || '(no subject)'}`;
}

/** Builds the reply: From the mailbox, To the envelope sender, threaded to the original, marked Auto-Submitted: auto-replied. */
export function buildAutoreplyMessage(draft: AutoreplyDraft): string {
  const { messageId, references } = draft.original;
  const threadIds = isMessageId(messageId) ? [...references.filter(isMessageId), messageId].slice(-MAX_REFERENCES) : [];
  const body = encodeBody(draft.text);
  const headers = [
    `From: ${formatMailbox(draft.displayName, draft.from)}`,
    `To: <${draft.to}>`,
    `Subject: ${encodeHeaderText(replySubject(draft.subject, draft.original.subject))}`,
    `Date: ${formatMessageDate(draft.date)}`,
    `Message-ID: ${draft.messageId}`,
    ...(threadIds.length > 0 ? [`In-Reply-To: ${messageId}`, `References: ${threadIds.join('\n ')}`] : []),
    // RFC 3834 5: the one header that stops other responders from answering this one.
    'Auto-Submitted: auto-replied',
    // Microsoft servers answer Auto-Submitted only sometimes; this asks them not to send their own replies back.
    'X-Auto-Response-Suppress: All',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${body.encoding}`,
  ];
  return `${headers.join('\n')}\n\n${body.text}`;
}

/** Control characters (a folded header's line ends among them) become spaces, runs of space become one. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `"Name" <address>`, or just `<address>` without a name; a name that is not plain ASCII is encoded (RFC 2047). */
function formatMailbox(name: string, address: string): string {
  const clean = oneLine(name);
  if (clean === '') return `<${address}>`;
  const phrase = isAscii(clean) ? `"${clean.replace(/(["\\])/g, '\\$1')}"` : encodeWords(clean);
  return `${phrase} <${address}>`;
}

const isAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

function encodeHeaderText(text: string): string {
  return isAscii(text) ? text : encodeWords(text);
}

/**
 * RFC 2047 B encoded-words, split between whole characters so that each word stays within 75 characters and no
 * UTF-8 sequence is cut; words are folded one to a line.
 */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let length = 0;
  const flush = () => {
    if (chunk.length > 0) words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    length = 0;
  };
  for (const character of text) {
    const bytes = Buffer.from(character, 'utf8');
    if (length + bytes.length > 45) flush(); // 45 bytes -> 60 base64 characters, 72 with the markers
    chunk.push(bytes);
    length += bytes.length;
  }
  flush();
  return words.join('\n ');
}

/** Plain ASCII with short lines goes as it is (7bit); anything else as quoted-printable UTF-8 (RFC 2045 6.7). */
export function encodeBody(text: string): { encoding: '7bit' | 'quoted-printable'; text: string } {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n*$/, '').split('\n');
  const plain = lines.every((line) => line.length <= 998 && /^[\x20-\x7e\t]*$/.test(line));
  if (plain) return { encoding: '7bit', text: `${lines.join('\n')}\n` };
  return { encoding: 'quoted-printable', text: `${lines.map(quotedPrintableLine).join('\n')}\n` };
}

/** One line as quoted-printable: at most 76 characters a line, soft breaks "=", trailing space or tab encoded. */
function quotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const tokens: string[] = [];
  bytes.forEach((byte, index) => {
    const last = index === bytes.length - 1;
    const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
    tokens.push(literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  });
  const out: string[] = [];
  let current = '';
  for (const token of tokens) {
    if (current.length + token.length > 75) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(current);
  return out.join('\n');
}
