import { ConfigError } from './config.js';
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

/** Mail files belong to POSTYARD_MAIL_USER when running as root (so Dovecot can read them), else to the user we run as. */
export function mailOwnerFor(user: string | undefined): MailOwner | null {
  if (!user || process.getuid?.() !== 0) return null;
  const owner = lookupSystemUser(user);
  if (!owner) throw new ConfigError(`Bad configuration:\n  POSTYARD_MAIL_USER: there is no system user named ${user}`);
  return owner;
}
