import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { AcceptedRecipient, Envelope } from '../services/delivery.js';

/** What both listeners keep per session and transaction, and read from smtp-server's session object. */

/** The recipients accepted at RCPT, per transaction: smtp-server starts a new envelope object for each MAIL FROM. */
const acceptedByEnvelope = new WeakMap<object, Map<string, AcceptedRecipient>>();

export function rememberRecipient(session: SMTPServerSession, recipient: AcceptedRecipient): void {
  const accepted = acceptedByEnvelope.get(session.envelope) ?? new Map<string, AcceptedRecipient>();
  accepted.set(recipient.recipient.toLowerCase(), recipient);
  acceptedByEnvelope.set(session.envelope, accepted);
}

export function acceptedRecipients(session: SMTPServerSession): AcceptedRecipient[] {
  return [...(acceptedByEnvelope.get(session.envelope)?.values() ?? [])];
}

/** The SIZE= the client declared at MAIL FROM (RFC 1870), or 0. */
export function declaredSize(session: SMTPServerSession): number {
  const args = session.envelope.mailFrom ? (session.envelope.mailFrom.args as Record<string, string> | false) : false;
  return Number(args && args.SIZE) || 0;
}

export function sender(session: SMTPServerSession): string {
  return session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
}

export function envelopeOf(session: SMTPServerSession, authenticated: boolean): Envelope {
  // RFC 3848: S for TLS, A for an authenticated client.
  const protocol = `ESMTP${session.secure ? 'S' : ''}${authenticated ? 'A' : ''}`;
  return {
    sender: sender(session),
    helo: session.hostNameAppearsAs,
    clientHostname: session.clientHostname,
    clientAddress: session.remoteAddress,
    protocol,
    id: session.id,
  };
}

export function readMessage(stream: SMTPServerDataStream): Promise<Buffer> {
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
