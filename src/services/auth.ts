import { hasFlag, type MailboxFlag } from '../domain/mailbox-flags.js';
import type { ServiceContext } from './context.js';
import { verifyPassword } from './passwords.js';

export type Principal =
  | { kind: 'admin'; id: number; name: string; mustChangePassword: boolean }
  | { kind: 'account'; id: number; name: string; isChild: boolean }
  | { kind: 'mailbox'; id: number; name: string };

/** What the login is for: a mailbox's vpopmail flag may forbid it. */
export type LoginPurpose = 'panel' | 'smtp' | 'pop3' | 'imap' | 'webmail';

const FORBIDDING_FLAG: Partial<Record<LoginPurpose, MailboxFlag>> = { pop3: 'noPop', imap: 'noImap', webmail: 'noWebmail' };

// Compared against when no such user exists, so that a refusal takes as long whether or not the name is known.
const DUMMY_HASH = '$2b$10$mY4niT72dgUw0MGIpp6pMusREvH0MMoiAiTRp.fKkPC7Xreo6KanS';

/**
 * One login rule for the panel, SMTP submission and POP3 (seed 000): a name with "@" is a virtual account, one without
 * is the admin, an account or a POP mailbox. Disabled users and users whose flag forbids the purpose are refused.
 */
export function createAuthService({ repos }: ServiceContext) {
  const findCandidate = (name: string): { principal: Principal; hash: string; allowed: (p: LoginPurpose) => boolean } | null => {
    const key = name.trim().toLowerCase();
    const mailboxCandidate = (mailbox: ReturnType<typeof repos.mailboxes.findByAddress>) =>
      mailbox && {
        principal: { kind: 'mailbox' as const, id: mailbox.id, name: mailbox.name },
        hash: mailbox.passwordHash,
        allowed: (purpose: LoginPurpose) =>
          !mailbox.disabled && !(FORBIDDING_FLAG[purpose] && hasFlag(mailbox.flags, FORBIDDING_FLAG[purpose]!)),
      };
    if (key.includes('@')) return mailboxCandidate(repos.mailboxes.findByAddress(key));
    switch (repos.usernames.kindOf(key)) {
      case 'admin': {
        const admin = repos.admins.findByUsername(key)!;
        const principal = { kind: 'admin' as const, id: admin.id, name: admin.username, mustChangePassword: admin.mustChangePassword };
        return { principal, hash: admin.passwordHash, allowed: (purpose) => purpose === 'panel' };
      }
      case 'account': {
        const account = repos.accounts.findByUsername(key)!;
        const principal = { kind: 'account' as const, id: account.id, name: account.username, isChild: account.parentId !== null };
        return { principal, hash: account.passwordHash, allowed: () => !account.disabled };
      }
      case 'pop':
        return mailboxCandidate(repos.mailboxes.findPopByUsername(key));
      default:
        return null;
    }
  };

  return {
    /** The principal a panel session belongs to, or null when it is gone or disabled since. */
    principalOf(kind: Principal['kind'], id: number): Principal | null {
      if (kind === 'admin') {
        const admin = repos.admins.findById(id);
        return admin && { kind, id, name: admin.username, mustChangePassword: admin.mustChangePassword };
      }
      if (kind === 'account') {
        const account = repos.accounts.findById(id);
        return account && !account.disabled ? { kind, id, name: account.username, isChild: account.parentId !== null } : null;
      }
      const mailbox = repos.mailboxes.findById(id);
      return mailbox && !mailbox.disabled ? { kind, id, name: mailbox.name } : null;
    },

    async authenticate(name: string, password: string, purpose: LoginPurpose): Promise<Principal | null> {
      const candidate = findCandidate(name);
      const matches = await verifyPassword(password, candidate?.hash ?? DUMMY_HASH);
      return candidate && matches && candidate.allowed(purpose) ? candidate.principal : null;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
