import { z } from 'zod';
import { MAILBOX_FLAGS, hasFlag, type MailboxFlag } from '../../domain/mailbox-flags.js';
import { displayNameSchema, domainNameSchema, localPartSchema, optionalSizeSchema, passwordSchema } from '../../domain/schemas.js';
import type { Mailbox } from '../../db/repositories/mailboxes.js';
import { isChecked } from '../render.js';
import { sizeInputValue } from './account-views.js';

/**
 * The Virtual Account Manager's forms, built from the shared schemas so that messages are written once; the mailbox
 * service checks everything again and owns the rules (domain hosted by the account, FTP home, uniqueness).
 */

/** The vpopmail flags offered as checkboxes (seed 004), in the order shown. The others are kept as they are. */
export const FLAG_CHOICES: ReadonlyArray<{ flag: MailboxFlag; label: string }> = [
  { flag: 'noPop', label: 'No POP' },
  { flag: 'noImap', label: 'No IMAP' },
  { flag: 'noWebmail', label: 'No webmail' },
  { flag: 'noRelay', label: 'No relay (may send only to this server\'s domains)' },
  { flag: 'noPasswordChange', label: 'No password change' },
  { flag: 'bounceMail', label: 'Bounce mail (refuse everything sent to it)' },
];

const checkbox = z.unknown().optional().transform(isChecked);
const flagFields = Object.fromEntries(FLAG_CHOICES.map(({ flag }) => [flag, checkbox])) as Record<MailboxFlag, typeof checkbox>;
/** A blank FTP home is "none"; the service refuses FTP access without one. */
const ftpHomeField = z.string().trim().max(255).transform((value) => (value === '' ? null : value));

// A field left out of a post reads as blank, as a browser sends an empty input.
const settingsFields = {
  displayName: displayNameSchema.default(''),
  quota: optionalSizeSchema.default(null),
  ftpEnabled: checkbox,
  ftpHome: ftpHomeField.default(null),
  ...flagFields,
};

const samePassword = (form: { password: string; confirm: string }) => form.password === form.confirm;
const mismatch = { path: ['confirm'], message: 'does not match the password' };

export const createForm = z
  .object({ localPart: localPartSchema, domain: domainNameSchema, password: passwordSchema, confirm: z.string(), ...settingsFields })
  .refine(samePassword, mismatch);

export const editForm = z.object({ ...settingsFields, notifyAt90: checkbox, disabled: checkbox, hiddenFromAddressBook: checkbox });

export const passwordForm = z.object({ password: passwordSchema, confirm: z.string() }).refine(samePassword, mismatch);

/** The flags field from the checkboxes: the offered flags as checked, every other bit as it was. */
export function flagsFrom(form: Partial<Record<MailboxFlag, boolean>>, previous = 0): number {
  return FLAG_CHOICES.reduce((bits, { flag }) => (form[flag] ? bits | MAILBOX_FLAGS[flag] : bits & ~MAILBOX_FLAGS[flag]), previous);
}

export type FormValues = Record<string, string | boolean>;

/** What the user typed, to show the form again after a refusal (never the password). */
export function postedValues(body: unknown): FormValues {
  const posted = (body ?? {}) as Record<string, unknown>;
  const values: FormValues = {};
  for (const [key, value] of Object.entries(posted)) {
    if (key === '_csrf' || key === 'password' || key === 'confirm') continue;
    values[key] = typeof value === 'string' ? value : String(value);
  }
  for (const field of ['ftpEnabled', 'notifyAt90', 'disabled', 'hiddenFromAddressBook', ...FLAG_CHOICES.map(({ flag }) => flag)]) {
    values[field] = isChecked(posted[field]);
  }
  return values;
}

/** An existing mailbox as the edit form shows it. */
export function mailboxValues(mailbox: Mailbox): FormValues {
  return {
    displayName: mailbox.displayName,
    quota: sizeInputValue(mailbox.quotaBytes),
    ftpEnabled: mailbox.ftpEnabled,
    ftpHome: mailbox.ftpHome ?? '',
    notifyAt90: mailbox.notifyAt90,
    disabled: mailbox.disabled,
    hiddenFromAddressBook: mailbox.hiddenFromAddressBook,
    ...Object.fromEntries(FLAG_CHOICES.map(({ flag }) => [flag, hasFlag(mailbox.flags, flag)])),
  };
}

/** The service names the address; the form asks for its local part. */
export const formFieldOf = (field: string) => (field === 'address' ? 'localPart' : field);
