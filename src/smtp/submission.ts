import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { SmtpUser } from '../services/sending.js';
import type { SubmissionListenerOptions } from './listener.js';
import { REPLIES, noRelayReply, refusalReply, replyError, sendingRefusalReply } from './replies.js';
import { acceptedRecipients, declaredSize, envelopeOf, readMessage, rememberRecipient, sender } from './session.js';

/** The user smtp-server keeps for the session once onAuth accepted it; false or undefined before. */
function userOf(session: SMTPServerSession): SmtpUser | null {
  return (session.user as SmtpUser | false | undefined) || null;
}

/** A client-typed name for the log: printable, short. Never the password or the AUTH exchange itself. */
function loggable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/**
 * The submission port (RFC 6409): AUTH PLAIN or LOGIN, offered and accepted only over TLS (auth-over-tls.ts), and no
 * mail without it; then services/sending.ts decides at MAIL FROM (sender owned, hourly limit), at RCPT (the core's
 * resolution, the no-relay flag) and at the end of DATA (the From header, delivery).
 */
export function submissionOptions({ sending, log, maxPerHour }: SubmissionListenerOptions): SMTPServerOptions {
  const limits = { maxPerHour };
  return {
    disabledCommands: [],
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    authRequiredMessage: REPLIES.authenticationRequired.text,

    onAuth(credentials, session, callback) {
      // smtp-server already refuses AUTH before STARTTLS; this holds even if that option were ever changed.
      if (!session.secure) return callback(replyError(REPLIES.encryptionRequired));
      const username = credentials.username ?? '';
      sending
        .login(username, credentials.password ?? '', session.remoteAddress)
        .then((outcome) => {
          if (!outcome.ok) {
            log.info({ session: session.id, client: session.remoteAddress, username: loggable(username), reason: outcome.reason }, 'submission login refused');
            return callback(replyError(sendingRefusalReply(outcome)));
          }
          log.info({ session: session.id, client: session.remoteAddress, user: outcome.user.name }, 'submission login');
          callback(null, { user: outcome.user });
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id }, 'submission login failed with an internal error');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },

    onMailFrom(address, session, callback) {
      const user = userOf(session);
      if (!user) return callback(replyError(REPLIES.authenticationRequired));
      try {
        const check = sending.checkSender(user, address.address, limits);
        if (!check.ok) {
          log.info({ session: session.id, user: user.name, from: address.address, reason: check.reason }, 'sender refused');
          return callback(replyError(sendingRefusalReply(check)));
        }
        callback();
      } catch (error) {
        log.error({ err: error, session: session.id, user: user.name }, 'sender check failed');
        callback(replyError(REPLIES.temporaryFailure));
      }
    },

    onRcptTo(address, session, callback) {
      const user = userOf(session);
      if (!user) return callback(replyError(REPLIES.authenticationRequired));
      sending
        .checkRecipient(user, address.address, session.remoteAddress, declaredSize(session))
        .then((verdict) => {
          if (verdict.accepted) {
            rememberRecipient(session, verdict);
            return callback();
          }
          const reply = verdict.reason === 'NO_RELAY' ? noRelayReply(address.address) : refusalReply(verdict.reason, address.address, verdict.message);
          callback(replyError(reply));
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id, user: user.name, recipient: address.address }, 'recipient check failed');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },

    onData(stream, session, callback) {
      const user = userOf(session);
      readMessage(stream)
        .then(async (content) => {
          if (stream.sizeExceeded) return callback(replyError(REPLIES.messageTooBig));
          if (!user) return callback(replyError(REPLIES.authenticationRequired));
          const recipients = acceptedRecipients(session);
          const outcome = await sending.submit(user, envelopeOf(session, true), recipients, content, limits);
          if (!outcome.ok) {
            log.info({ session: session.id, user: user.name, reason: outcome.reason }, 'message refused');
            return callback(replyError(sendingRefusalReply(outcome)));
          }
          const { report } = outcome;
          log.info(
            { session: session.id, user: user.name, from: sender(session), recipients: recipients.length, copies: report.copies.length, queued: report.queued.length },
            'message submitted',
          );
          callback(null, `2.0.0 Ok: queued as ${session.id}`);
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id, user: user?.name }, 'submission failed; the client will retry');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },
  };
}
