import { createHash } from 'node:crypto';

/**
 * Maildir file names as a POP3 session reads them (cr.yp.to/proto/maildir.html, Maildir++ and Dovecot's extensions):
 * "<unique>[,S=<size>][,W=<size>][:2,<flags>]". The part before ":" never changes once delivered, so it is the
 * message's UIDL; the info after ":2," holds the flags that a reader may change (S seen, T trashed, ...).
 */
const INFO_SEPARATOR = ':';
const INFO_PREFIX = ':2,';

/** The stable part of a file name: everything before the info. */
export function baseName(fileName: string): string {
  const separator = fileName.indexOf(INFO_SEPARATOR);
  return separator < 0 ? fileName : fileName.slice(0, separator);
}

/**
 * RFC 1939 section 7: a unique-id is 1 to 70 characters from 0x21 to 0x7E. A base name that fits is used as it is
 * (readable in logs, the same as other Maildir POP3 servers report); a longer one (a long host name) is hashed.
 */
export function uidOf(fileName: string): string {
  const base = baseName(fileName);
  if (base.length >= 1 && base.length <= 70 && /^[\x21-\x7e]+$/.test(base)) return base;
  return `h${createHash('sha256').update(base).digest('hex').slice(0, 48)}`;
}

/** The name a message gets when a reader moves it from new/ to cur/: the same, with empty info ":2,". */
export function curName(fileName: string): string {
  return fileName.includes(INFO_SEPARATOR) ? fileName : `${fileName}${INFO_PREFIX}`;
}

/** The flags of a name's ":2," info, or "" when it has none. */
export function flagsOf(fileName: string): string {
  const info = fileName.indexOf(INFO_PREFIX);
  return info < 0 ? '' : fileName.slice(info + INFO_PREFIX.length);
}

/**
 * The name with one more flag, flags kept in ASCII order as the specification asks; null when the flag is already
 * there or the info is not of the ":2," kind (left alone rather than guessed at).
 */
export function withFlag(fileName: string, flag: string): string | null {
  const base = baseName(fileName);
  const hasInfo = fileName.length > base.length;
  if (hasInfo && !fileName.startsWith(INFO_PREFIX, base.length)) return null;
  const flags = flagsOf(fileName);
  if (flags.includes(flag)) return null;
  return `${base}${INFO_PREFIX}${[...flags, flag].sort().join('')}`;
}

/** Dovecot's ",W=" tag: the size with CRLF line ends, which is what POP3 reports. */
export function wireSizeFromName(fileName: string): number | null {
  const match = /,W=(\d+)/.exec(baseName(fileName));
  return match ? Number(match[1]) : null;
}

/**
 * Delivery order: the seconds at the start of the name, then the millisecond of its "M" microseconds, then the
 * delivery counter "Q" (Postyard's writer fills the sub-millisecond digits at random, so within one millisecond only
 * the counter tells the order), then the microseconds, then the name itself. Plain string order would put "M99"
 * after "M100".
 */
export function compareDeliveryOrder(a: string, b: string): number {
  const left = orderKey(a);
  const right = orderKey(b);
  return (
    left.seconds - right.seconds ||
    Math.floor(left.micros / 1000) - Math.floor(right.micros / 1000) ||
    left.counter - right.counter ||
    left.micros - right.micros ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
}

function orderKey(fileName: string): { seconds: number; micros: number; counter: number } {
  const match = /^(\d+)\.(?:[^.]*?M(\d+))?(?:[^.]*?Q(\d+))?/.exec(fileName);
  return {
    seconds: match ? Number(match[1]) : Number.MAX_SAFE_INTEGER,
    micros: match?.[2] ? Number(match[2]) : 0,
    counter: match?.[3] ? Number(match[3]) : 0,
  };
}
