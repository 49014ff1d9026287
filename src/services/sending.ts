import type { Resolution } from '../domain/resolution.js';
import {
  foreignFromAddress,
  headerBlockOf,
  ownsAddress,
  relayForbidden,
  sendRateVerdict,
  senderIdentity,
  sendWindowStart,
  type SenderFacts,
  type SendRateVerdict,
} from '../domain/sending-policy.js';
import type { AuthService } from './auth.js';
import type { ServiceContext } from './context.js';
import type { AcceptedRecipient, DeliveryReport, DeliveryService, Envelope, RecipientVerdict } from './delivery.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';

/** Who is sending on an authenticated session: an account or a mailbox (the admin cannot send). */
export interface SmtpUser {
  kind: 'account' | 'mailbox';
  id: number;
  /** The name the user logged in as: a virtual account's address, or an account's or POP mailbox's username. */
  name: string;
}

/** The limits of the submission listener (POSTYARD_SEND_MAX_PER_HOUR). */
export interface SendLimits {
  maxPerHour: number;
}

/** Every way sending can be refused; the SMTP adapter maps each to one reply. */
export type SendingRefusal =
  | { reason: 'LOGIN_THROTTLED' }
  | { reason: 'LOGIN_FAILED' }
  | { reason: 'NOT_LOGGED_IN' }
  | { reason: 'SENDER_NOT_OWNED'; address: string }
  | { reason: 'FROM_NOT_OWNED'; address: string }
  | { reason: 'RATE_LIMITED'; retryAt: number };

export type LoginOutcome = { ok: true; user: SmtpUser } | ({ ok: false } & SendingRefusal);
export type SenderCheck = { ok: true } | ({ ok: false } & SendingRefusal);
export type SubmitOutcome = { ok: true; report: DeliveryReport } | ({ ok: false } & SendingRefusal);

/** A recipient verdict of the core, or the no-relay flag's refusal of a remote recipient. */
export type SubmissionRecipientVerdict =
  | RecipientVerdict
  | { accepted: false; recipient: string; reason: 'NO_RELAY'; message: null; resolution: Resolution };

export interface SendingOptions {
  /** Failed SMTP logins; its own instance, apart from the panel's, so one protocol cannot lock the other out. */
  throttle?: LoginThrottle;
  now?: () => number;
}

/**
 * Authenticated sending (port 587): login with throttling, the sender rules of domain/sending-policy.ts fed from the
 * database, the hourly limit kept in the send log, and delivery through the core (local recipients by resolution,
 * remote ones into the outbound queue).
 */
export function createSendingService(
  context: ServiceContext,
  { auth, delivery }: { auth: AuthService; delivery: DeliveryService },
  options: SendingOptions = {},
) {
  const { db, repos } = context;
  const { sendLog, mailboxAddresses } = repos;
  const throttle = options.throttle ?? createLoginThrottle();
  const now = options.now ?? Date.now;

  const senderKey = (user: SmtpUser) => `${user.kind}:${user.name}`;

  /** The user's sending facts as the database has them now; null once the user is gone or disabled since the login. */
  function currentFacts(user: SmtpUser): { flags: number | null; facts: SenderFacts } | null {
    if (!auth.principalOf(user.kind, user.id)) return null;
    if (user.kind === 'mailbox') {
      const mailbox = repos.mailboxes.findById(user.id)!;
      return {
        flags: mailbox.flags,
        facts: {
          ownAddress: mailbox.kind === 'virtual' ? mailbox.name : null,
          extraAddresses: mailboxAddresses.listByMailbox(mailbox.id),
          deliverRules: mailbox.kind === 'pop' ? repos.aliasRules.addressesTargeting(mailbox.name) : [],
          hostedDomains: [],
          childDomains: [],
        },
      };
    }
    const account = repos.accounts.findById(user.id)!;
    const children = account.parentId === null ? repos.accounts.listChildren(account.id) : [];
    const domainsOf = (accountId: number) => repos.domains.listByAccount(accountId).map((domain) => domain.name);
    return {
      flags: null,
      facts: {
        ownAddress: null,
        extraAddresses: [],
        deliverRules: repos.aliasRules.addressesTargeting(account.username),
        hostedDomains: domainsOf(account.id),
        childDomains: children.flatMap((child) => domainsOf(child.id)),
      },
    };
  }

  function rateVerdict(user: SmtpUser, limits: SendLimits, at: number): SendRateVerdict {
    return sendRateVerdict(sendLog.countSince(senderKey(user), sendWindowStart(at)), limits.maxPerHour, at);
  }

  /** Checks the hourly limit and, when there is room, records the message in the same transaction. */
  const reserveSlot = db.transaction((user: SmtpUser, limits: SendLimits, at: number) => {
    const verdict = rateVerdict(user, limits, at);
    if (!verdict.allowed) return { verdict, id: null };
    sendLog.prune(sendWindowStart(at));
    return { verdict, id: sendLog.insert(senderKey(user), at) };
  });

  return {
    /** SMTP AUTH: one login rule (services/auth.ts, purpose 'smtp'), throttled per user name and per client address. */
    async login(username: string, password: string, clientAddress: string): Promise<LoginOutcome> {
      if (throttle.isBlocked(username, clientAddress)) return { ok: false, reason: 'LOGIN_THROTTLED' };
      const principal = await auth.authenticate(username, password, 'smtp');
      if (!principal || principal.kind === 'admin') {
        throttle.recordFailure(username, clientAddress);
        return { ok: false, reason: 'LOGIN_FAILED' };
      }
      throttle.recordSuccess(username);
      return { ok: true, user: { kind: principal.kind, id: principal.id, name: principal.name } };
    },

    /** At MAIL FROM: the user may still send, owns the envelope sender, and has room in the hourly limit. */
    checkSender(user: SmtpUser, sender: string, limits: SendLimits): SenderCheck {
      const current = currentFacts(user);
      if (!current) return { ok: false, reason: 'NOT_LOGGED_IN' };
      if (!ownsAddress(senderIdentity(current.facts), sender)) return { ok: false, reason: 'SENDER_NOT_OWNED', address: sender };
      const rate = rateVerdict(user, limits, now());
      return rate.allowed ? { ok: true } : { ok: false, reason: 'RATE_LIMITED', retryAt: rate.retryAt };
    },

    /** At RCPT: the core's resolution and quota checks (authenticated, so remote domains relay), then the no-relay flag. */
    async checkRecipient(user: SmtpUser, recipient: string, clientAddress: string, declaredSize: number): Promise<SubmissionRecipientVerdict> {
      const verdict = await delivery.checkRecipient(recipient, { clientAddress, authenticatedAs: user.name }, declaredSize);
      if (!verdict.accepted) return verdict;
      const flags = user.kind === 'mailbox' ? (repos.mailboxes.findById(user.id)?.flags ?? null) : null;
      if (relayForbidden(flags, verdict.resolution)) {
        return { accepted: false, recipient, reason: 'NO_RELAY', message: null, resolution: verdict.resolution };
      }
      return verdict;
    },

    /**
     * At the end of DATA: every From header address must be the user's, the hourly limit must still have room (another
     * session may have used it since MAIL FROM), then the message is delivered. It counts as sent only once delivered.
     */
    async submit(user: SmtpUser, envelope: Envelope, recipients: readonly AcceptedRecipient[], content: Buffer, limits: SendLimits): Promise<SubmitOutcome> {
      const current = currentFacts(user);
      if (!current) return { ok: false, reason: 'NOT_LOGGED_IN' };
      const foreign = foreignFromAddress(senderIdentity(current.facts), headerBlockOf(content));
      if (foreign !== null) return { ok: false, reason: 'FROM_NOT_OWNED', address: foreign };
      const slot = reserveSlot(user, limits, now());
      if (!slot.verdict.allowed) return { ok: false, reason: 'RATE_LIMITED', retryAt: slot.verdict.retryAt };
      try {
        return { ok: true, report: await delivery.deliver(envelope, recipients, content) };
      } catch (error) {
        sendLog.remove(slot.id!);
        throw error;
      }
    },
  };
}

export type SendingService = ReturnType<typeof createSendingService>;
