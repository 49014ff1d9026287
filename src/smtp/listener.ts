import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { FastifyBaseLogger } from 'fastify';
import type { AcceptedRecipient, DeliveryService } from '../services/delivery.js';
import type { AuthService } from '../services/auth.js';
import { REPLIES, refusalReply, replyError } from './replies.js';
import './enhanced-codes.js';

export interface ListenerOptions {
  /** 'incoming' is port 25: no login, local domains (and allowed relays) only. 'submission' is 587: login required. */
  mode: 'incoming' | 'submission';
  hostname: string;
  maxMessageSize: number;
  maxRecipients: number;
  delivery: DeliveryService;
  auth: AuthService;
  log: FastifyBaseLogger;
}

/** The recipients accepted at RCPT, per transaction: smtp-server starts a new envelope object for each MAIL FROM. */
const acceptedByEnvelope = new WeakMap<object, Map<string, AcceptedRecipient>>();

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * An SMTP listener that resolves each recipient at RCPT (one outcome per recipient) and delivers at DATA, replying
 * 250 only when every copy is durable. Returned not yet listening, so tests can listen on port 0.
 */
export function createSmtpListener(options: ListenerOptions): SMTPServer {
  const { delivery, auth, log, mode } = options;
  const submission = mode === 'submission';

  const server = new SMTPServer({
    name: options.hostname,
    banner: 'Postyard ESMTP',
    size: options.maxMessageSize,
    maxRecipients: options.maxRecipients,
    hideENHANCEDSTATUSCODES: false, // RFC 3463 codes on every reply; ours come from replies.ts (enhanced-codes.ts)
    disableReverseLookup: true,
    // STARTTLS waits for the configured certificate of the sending issue; until then login is allowed on loopback only.
    disabledCommands: submission ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    authOptional: !submission,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: submission,
    logger: false,

    onAuth(credentials, session, callback) {
      if (!session.secure && !LOOPBACK.test(session.remoteAddress)) return callback(replyError(REPLIES.encryptionRequired));
      auth
        .authenticate(credentials.username ?? '', credentials.password ?? '', 'smtp')
        .then((principal) => {
          if (!principal || principal.kind === 'admin') return callback(replyError(REPLIES.authenticationFailed));
          callback(null, { user: principal.name });
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id }, 'authentication failed with an internal error');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },

    onRcptTo(address, session, callback) {
      const declaredSize = Number(session.envelope.mailFrom && session.envelope.mailFrom.args && (session.envelope.mailFrom.args as Record<string, string>).SIZE) || 0;
      delivery
        .checkRecipient(address.address, { clientAddress: session.remoteAddress, authenticatedAs: session.user ?? null }, declaredSize)
        .then((verdict) => {
          if (!verdict.accepted) return callback(replyError(refusalReply(verdict.reason, address.address, verdict.message)));
          const accepted = acceptedByEnvelope.get(session.envelope) ?? new Map<string, AcceptedRecipient>();
          accepted.set(address.address.toLowerCase(), verdict);
          acceptedByEnvelope.set(session.envelope, accepted);
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
          const recipients = [...(acceptedByEnvelope.get(session.envelope)?.values() ?? [])];
          const report = await delivery.deliver(envelopeOf(session, submission), recipients, content);
          log.info({ session: session.id, from: sender(session), recipients: recipients.length, copies: report.copies.length, queued: report.queued.length }, 'message delivered');
          callback(null, `2.0.0 Ok: delivered as ${session.id}`);
        })
        .catch((error: unknown) => {
          log.error({ err: error, session: session.id }, 'delivery failed; the sender will retry');
          callback(replyError(REPLIES.temporaryFailure));
        });
    },
  });

  server.on('error', (error) => log.warn({ err: error, listener: mode }, 'SMTP connection error'));
  return server;
}

function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      // Past the limit keep reading to the end of DATA, but stop keeping the bytes.
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function sender(session: SMTPServerSession): string {
  return session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
}

function envelopeOf(session: SMTPServerSession, submission: boolean) {
  // RFC 3848: S for TLS, A for an authenticated client.
  const protocol = `ESMTP${session.secure ? 'S' : ''}${submission && session.user ? 'A' : ''}`;
  return {
    sender: sender(session),
    helo: session.hostNameAppearsAs,
    clientHostname: session.clientHostname,
    clientAddress: session.remoteAddress,
    protocol,
    id: session.id,
  };
}
