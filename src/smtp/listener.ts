import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { FastifyBaseLogger } from 'fastify';
import type { DeliveryService } from '../services/delivery.js';
import type { SendingService } from '../services/sending.js';
import type { TlsKeyPair } from '../tls/certificate.js';
import { offerAuthOnlyOverTls } from './auth-over-tls.js';
import { setGreetingDelay } from './greeting-delay.js';
import { REPLIES, refusalReply, replyError } from './replies.js';
import { acceptedRecipients, declaredSize, envelopeOf, readMessage, rememberRecipient, sender } from './session.js';
import { submissionOptions } from './submission.js';
import './enhanced-codes.js';

interface CommonOptions {
  hostname: string;
  maxMessageSize: number;
  /** Recipients a message: POSTYARD_MAX_RECIPIENTS on the incoming port, POSTYARD_SEND_MAX_RECIPIENTS on submission. */
  maxRecipients: number;
  log: FastifyBaseLogger;
}

/** Port 25: no login, local domains (and clients on the relay allow list) only. */
export interface IncomingListenerOptions extends CommonOptions {
  mode: 'incoming';
  delivery: DeliveryService;
  /** STARTTLS is offered with this certificate; without one the listener is plain text, never smtp-server's own. */
  tls?: TlsKeyPair | null;
  /** Milliseconds before the 220 greeting, refusing clients that talk first (POSTYARD_SMTP_GREETING_DELAY); 0 by default. */
  greetingDelay?: number;
}

/** Port 587: STARTTLS, then AUTH, then the sender rules of services/sending.ts. */
export interface SubmissionListenerOptions extends CommonOptions {
  mode: 'submission';
  sending: SendingService;
  tls: TlsKeyPair;
  /** POSTYARD_SEND_MAX_PER_HOUR: messages a user may send in any hour. */
  maxPerHour: number;
}

export type ListenerOptions = IncomingListenerOptions | SubmissionListenerOptions;

/**
 * An SMTP listener that resolves each recipient at RCPT (one outcome per recipient) and delivers at DATA, replying
 * 250 only when every copy is durable. Returned not yet listening, so tests can listen on port 0.
 */
export function createSmtpListener(options: ListenerOptions): SMTPServer {
  const common: SMTPServerOptions = {
    name: options.hostname,
    banner: 'Postyard ESMTP',
    size: options.maxMessageSize,
    maxRecipients: options.maxRecipients,
    hideENHANCEDSTATUSCODES: false, // RFC 3463 codes on every reply; ours come from replies.ts (enhanced-codes.ts)
    disableReverseLookup: true,
    logger: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' as const } : {}),
  };
  const server =
    options.mode === 'submission'
      ? new SMTPServer({ ...common, ...submissionOptions(options) })
      : new SMTPServer({ ...common, ...incomingOptions(options) });
  if (options.mode === 'submission') offerAuthOnlyOverTls(server);
  // Authenticated clients have nothing to prove before the greeting; port 25 may keep a pre-greet test.
  setGreetingDelay(server, options.mode === 'incoming' ? options.greetingDelay ?? 0 : 0);
  server.on('error', (error) => options.log.warn({ err: error, listener: options.mode }, 'SMTP connection error'));
  return server;
}

function incomingOptions({ delivery, log, tls }: IncomingListenerOptions): SMTPServerOptions {
  return {
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    authOptional: true,

    onRcptTo(address, session, callback) {
      delivery
        .checkRecipient(address.address, { clientAddress: session.remoteAddress, authenticatedAs: null }, declaredSize(session))
        .then((verdict) => {
          if (!verdict.accepted) return callback(replyError(refusalReply(verdict.reason, address.address, verdict.message)));
          rememberRecipient(session, verdict);
          callback();
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id, recipient: address.address }, 'recipient check failed');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },

    onData(stream, session, callback) {
      readMessage(stream)
        .then(async (content) => {
          if (stream.sizeExceeded) return callback(replyError(REPLIES.messageTooBig));
          const recipients = acceptedRecipients(session);
          const report = await delivery.deliver(envelopeOf(session, false), recipients, content);
          log.info({ session: session.id, from: sender(session), recipients: recipients.length, copies: report.copies.length, queued: report.queued.length }, 'message delivered');
          callback(null, `2.0.0 Ok: delivered as ${session.id}`);
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id }, 'delivery failed; the sender will retry');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },
  };
}
