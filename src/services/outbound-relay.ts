import nodemailer from 'nodemailer';
import type { AttemptReply } from '../domain/retry-schedule.js';

/** How Postyard reaches its relay host (POSTYARD_RELAY_*). */
export interface RelaySettings {
  host: string;
  port: number;
  user?: string | undefined;
  password?: string | undefined;
  /** 'tls': TLS from the first byte (port 465); 'starttls': required and verified; 'none': never; unset: if offered. */
  tls?: 'none' | 'starttls' | 'tls' | undefined;
  /** Our name in EHLO. */
  heloName: string;
}

export interface RelayTimeouts {
  connectionMs: number;
  greetingMs: number;
  /** Inactivity on an open connection. */
  socketMs: number;
  /** The whole attempt, however the relay trickles; must stay below the worker's claim lease. */
  attemptMs: number;
}

// RFC 5321 4.5.3.2 suggests 5 minutes for most replies and 10 for the end of DATA.
export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = { connectionMs: 60_000, greetingMs: 5 * 60_000, socketMs: 10 * 60_000, attemptMs: 20 * 60_000 };

export interface RelayMessage {
  /** The envelope sender; '' for a null sender (MAIL FROM:<>), as bounces have. */
  from: string;
  to: readonly string[];
  /** The stored message, sent as it is. */
  content: Buffer;
}

export interface RecipientOutcome {
  recipient: string;
  delivered: boolean;
  reply: AttemptReply;
  /** The command the reply answered ("RCPT TO", "STARTTLS"), when there was a reply. */
  command: string | null;
}

export interface RelayClient {
  /** "host:port", for logs and the DSN's Remote-MTA; never the credentials. */
  readonly name: string;
  readonly host: string;
  /** One SMTP transaction for every recipient of one message; resolves with one outcome each, never rejects. */
  send(message: RelayMessage): Promise<RecipientOutcome[]>;
}

/** nodemailer's TLS options for each POSTYARD_RELAY_TLS value. */
export function transportTls(settings: Pick<RelaySettings, 'tls' | 'user'>) {
  switch (settings.tls) {
    case 'tls':
      return { secure: true };
    case 'starttls':
      return { secure: false, requireTLS: true };
    case 'none':
      return { secure: false, ignoreTLS: true };
    default:
      // A password never crosses the network in the clear unless the admin said 'none': with credentials, STARTTLS is
      // required and the certificate verified. Without them this is Postfix's "may" level: encrypt when offered,
      // unverified (it only guards against passive listening, which an unverified certificate still does), and carry
      // on in plain text when the upgrade fails.
      if (settings.user) return { secure: false, requireTLS: true };
      return { secure: false, opportunisticTLS: true, tls: { rejectUnauthorized: false } };
  }
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

/** Which part of the session a nodemailer error answered: MAIL FROM and RCPT TO are the envelope; DATA the message. */
function stageOf(command: string | undefined): AttemptReply['stage'] {
  if (command === 'MAIL FROM' || command === 'RCPT TO') return 'envelope';
  if (command === 'DATA') return 'data';
  return 'session';
}

function failureOf(recipient: string, error: SmtpError): RecipientOutcome {
  if (typeof error.responseCode === 'number' && error.response) {
    const reply: AttemptReply = { code: error.responseCode, text: error.response, stage: stageOf(error.command) };
    return { recipient, delivered: false, reply, command: error.command ?? null };
  }
  const cause = error.name === 'AbortError' || error.name === 'TimeoutError' ? 'the attempt took too long' : error.message;
  return { recipient, delivered: false, reply: { code: null, text: cause, stage: 'session' }, command: null };
}

/** The relay client over nodemailer's SMTP transport: the raw message with an explicit envelope, nothing re-encoded. */
export function createRelayClient(settings: RelaySettings, timeouts: RelayTimeouts = DEFAULT_RELAY_TIMEOUTS): RelayClient {
  const name = `${settings.host}:${settings.port}`;
  const options = {
    host: settings.host,
    port: settings.port,
    name: settings.heloName,
    ...transportTls(settings),
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    logger: false,
    debug: false,
  };

  async function send(message: RelayMessage): Promise<RecipientOutcome[]> {
    const transport = nodemailer.createTransport(options);
    try {
      const info = await transport.sendMail({
        // Set explicitly: the headers' From and To say nothing about where this copy goes (Bcc, forwards, bounces).
        envelope: {
          from: message.from,
          to: [...message.to],
          size: message.content.length,
          // RFC 6152: announce 8-bit content when there is any, so the relay need not guess.
          use8BitMime: message.content.some((byte) => byte >= 0x80),
        },
        raw: message.content,
        signal: AbortSignal.timeout(timeouts.attemptMs),
      });
      const rejected = new Map(((info as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).map((error) => [error.recipient, error]));
      const accepted: AttemptReply = { code: 250, text: String(info.response ?? '250'), stage: 'data' };
      return message.to.map((recipient) => {
        const refusal = rejected.get(recipient);
        return refusal ? failureOf(recipient, refusal) : { recipient, delivered: true, reply: accepted, command: 'DATA' };
      });
    } catch (caught) {
      const error = caught as SmtpError;
      const perRecipient = new Map((error.rejectedErrors ?? []).map((each) => [each.recipient, each]));
      return message.to.map((recipient) => failureOf(recipient, perRecipient.get(recipient) ?? error));
    } finally {
      transport.close();
    }
  }

  return { name, host: settings.host, send };
}
