import { readFileSync } from 'node:fs';
import type { MailOwner } from './maildir/mail-store.js';

/** Looks a system user up in /etc/passwd (Node has no getpwnam), for POSTYARD_MAIL_USER. */
export function lookupSystemUser(name: string, passwdFile = '/etc/passwd'): MailOwner | null {
  for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}
