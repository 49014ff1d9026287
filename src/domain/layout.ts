import { posix } from 'node:path';

/**
 * Where each mailbox lives under the data folder (DESIGN.md "On disk"), relative to it. The names were validated on
 * the way in (usernames and addresses cannot hold "/" or ".."), so joining them cannot leave the data folder.
 */
export const DATABASE_FILE = 'postyard.db';

export function accountHome(username: string): string {
  return posix.join('homes', username);
}

export function accountMaildir(username: string): string {
  return posix.join(accountHome(username), 'Maildir');
}

/** The server's postmaster mailbox, for mail to "postmaster" without a domain; the admin reads it. */
export const POSTMASTER_MAILDIR = posix.join('postmaster', 'Maildir');

/** A virtual account's folder is named by its address; a POP mailbox's by its username. */
export function mailboxFolder(accountUsername: string, mailboxName: string): string {
  return posix.join(accountHome(accountUsername), '.mailboxes', mailboxName);
}
