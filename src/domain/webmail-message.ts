import { flagsOf, uidOf } from './pop3-maildir.js';

/**
 * Webmail names a message by its POP3 UIDL (domain/pop3-maildir.ts): the Maildir base name, the part before ":2,"
 * that never changes once delivered, or for a name longer than 70 characters its hash "h<48 hex digits>" (which also
 * keeps every id under the router's 100-character limit for a URL parameter). An id from a URL is only ever compared
 * with the names listed in the mailbox's own cur/ and new/, never joined into a path; the pattern below is a second
 * fence: digits, a dot, then the characters Maildir writers use (Postyard's "M…P…Q…", Dovecot's ",S=…,W=…", "\057"
 * escapes in host names). No "/", no ":", no "..", at most 70 characters.
 */
const PLAIN_ID = /^\d{1,12}\.[A-Za-z0-9_.,=\\-]{1,57}$/;
const HASHED_ID = /^h[0-9a-f]{48}$/;

export function isMessageId(text: string): boolean {
  return (PLAIN_ID.test(text) && text.length <= 70 && !text.includes('..')) || HASHED_ID.test(text);
}

/** An id that is a hash: its message is found by hashing each name, not by comparing base names. */
export function isHashedMessageId(id: string): boolean {
  return HASHED_ID.test(id);
}

/** The webmail id of a file in cur/ or new/, or null for a name webmail cannot address (left to IMAP clients). */
export function messageIdOf(fileName: string): string | null {
  const uid = uidOf(fileName);
  return isMessageId(uid) ? uid : null;
}

/** Maildir's "S" flag: the message was read. */
export function isSeen(fileName: string): boolean {
  return flagsOf(fileName).includes('S');
}

/** When the message was delivered, from the seconds that start its name (the Maildir standard form); null otherwise. */
export function deliveredAt(fileName: string): Date | null {
  const match = /^(\d{1,12})\./.exec(fileName);
  return match ? new Date(Number(match[1]) * 1000) : null;
}

export interface PageWindow {
  page: number;
  pages: number;
  total: number;
  /** Indexes into the whole list: items [start, end) are on this page. */
  start: number;
  end: number;
}

/** The page a list shows: `requested` (from the query, any text) clamped to the pages that exist. */
export function pageWindow(total: number, requested: unknown, perPage: number): PageWindow {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const asked = Number.parseInt(String(requested ?? '1'), 10);
  const page = Math.min(pages, Math.max(1, Number.isFinite(asked) ? asked : 1));
  const start = (page - 1) * perPage;
  return { page, pages, total, start, end: Math.min(total, start + perPage) };
}

/** A message date for the list and the message page: "2026-05-01 14:03 UTC", or "" when there is none. */
export function formatMailDate(date: Date | null): string {
  if (!date || Number.isNaN(date.getTime())) return '';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export interface MailAddress {
  name: string;
  address?: string | undefined;
  group?: MailAddress[] | undefined;
}

/** Addresses for people: "Name <address>", or the address alone; a group as "Name: its members". */
export function formatAddresses(addresses: readonly MailAddress[]): string {
  return addresses
    .map((entry): string => {
      if (entry.group) return `${entry.name}: ${formatAddresses(entry.group)}`;
      if (!entry.address) return entry.name;
      return entry.name ? `${entry.name} <${entry.address}>` : entry.address;
    })
    .filter((text) => text !== '')
    .join(', ');
}
