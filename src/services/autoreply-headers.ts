import { simpleParser } from 'mailparser';
import type { OriginalHeaders } from '../domain/autoreply.js';

/** Headers beyond this size are not read: the decision needs a few short headers near the top. */
const MAX_HEADER_BYTES = 256 * 1024;

/** The header block of a message, up to the first empty line (LF or CRLF line ends). */
export function headerBlockOf(content: Buffer): Buffer {
  const limit = Math.min(content.length, MAX_HEADER_BYTES);
  const lf = content.indexOf('\n\n');
  const crlf = content.indexOf('\r\n\r\n');
  const ends = [lf, crlf].filter((index) => index >= 0 && index < limit);
  return content.subarray(0, ends.length > 0 ? Math.min(...ends) : limit);
}

/**
 * Reads what the RFC 3834 decision and the reply need with mailparser, from the header block only: the body (which
 * may be large or malformed) is never parsed. Encoded words in the subject come back decoded.
 */
export async function readOriginalHeaders(content: Buffer): Promise<OriginalHeaders> {
  const parsed = await simpleParser(Buffer.concat([headerBlockOf(content), Buffer.from('\n\n')]), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
  });
  const { headers, headerLines } = parsed;
  const texts = (key: string): string[] => [headers.get(key)].flat().filter((value): value is string => typeof value === 'string');
  const first = (key: string) => texts(key)[0] ?? null;
  // "no" only when every Auto-Submitted header says so: one that does not is enough to stay quiet.
  const autoSubmitted = texts('auto-submitted').find((value) => !/^\s*no\s*(;|$)/i.test(value)) ?? first('auto-submitted');
  return {
    autoSubmitted,
    precedence: first('precedence'),
    // From the raw lines: mailparser drops a List-* header whose value it cannot read, but its presence is what counts.
    listHeaders: [...new Set(headerLines.filter((line) => line.key.startsWith('list-')).map((line) => line.key.slice(5)))],
    autoResponseSuppress: first('x-auto-response-suppress'),
    recipients: [...addressesOf(headers.get('to')), ...addressesOf(headers.get('cc'))],
    subject: parsed.subject ?? null,
    messageId: parsed.messageId ?? null,
    references: [parsed.references ?? []].flat(),
  };
}

/** Every address in a To or Cc value (one or more address objects, groups included), lower-cased. */
function addressesOf(value: unknown): string[] {
  const found: string[] = [];
  const walk = (entry: unknown): void => {
    if (Array.isArray(entry)) return entry.forEach(walk);
    if (!entry || typeof entry !== 'object') return;
    const item = entry as { value?: unknown; group?: unknown; address?: unknown };
    if (Array.isArray(item.value)) walk(item.value);
    if (Array.isArray(item.group)) walk(item.group);
    if (typeof item.address === 'string' && item.address !== '') found.push(item.address.trim().toLowerCase());
  };
  walk(value);
  return found;
}
