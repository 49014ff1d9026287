import type { SmtpReply } from '../domain/refusals.js';
import type { SendingRefusal } from '../services/sending.js';

/** One SMTP reply: the code and the text after it, which starts with the RFC 3463 enhanced status code. */
export type Reply = SmtpReply;

// Recipient refusals share one table with the route explanation, so it lives in the domain; the listener reads it here.
export { refusalReply } from '../domain/refusals.js';

/** Replies of the session itself. A database or disk failure is always 451 4.3.0, so that the sender retries. */
export const REPLIES = {
  temporaryFailure: { code: 451, text: '4.3.0 local error in processing, please try again later' },
  tooManyRecipients: { code: 452, text: '4.5.3 too many recipients' },
  messageTooBig: { code: 552, text: '5.3.4 message exceeds the size limit' },
  authenticationRequired: { code: 530, text: '5.7.0 authentication required' },
  authenticationFailed: { code: 535, text: '5.7.8 authentication failed' },
  encryptionRequired: { code: 538, text: '5.7.11 encryption required for authentication' },
  malformedSender: { code: 553, text: '5.1.7 malformed sender address' },
  loginThrottled: { code: 454, text: '4.7.0 too many failed logins, try again later' },
  sendRateExceeded: { code: 451, text: '4.7.1 too many messages sent in the last hour, try later' },
} as const satisfies Record<string, Reply>;

/** The refusals of authenticated sending (port 587): login, sender rules and the hourly limit. */
export function sendingRefusalReply(refusal: SendingRefusal): Reply {
  switch (refusal.reason) {
    case 'LOGIN_THROTTLED':
      return REPLIES.loginThrottled;
    case 'LOGIN_FAILED':
      return REPLIES.authenticationFailed;
    case 'NOT_LOGGED_IN':
      return REPLIES.authenticationRequired;
    case 'SENDER_NOT_OWNED':
      return { code: 553, text: `5.7.1 <${shown(refusal.address)}>: not an address you may send as` };
    case 'FROM_NOT_OWNED':
      return { code: 550, text: `5.7.1 the From header address <${shown(refusal.address)}> is not an address you may send as` };
    case 'RATE_LIMITED':
      return REPLIES.sendRateExceeded;
  }
}

/** The no-relay flag (vmoduser -r) refusing a remote recipient at RCPT. */
export function noRelayReply(recipient: string): Reply {
  return { code: 550, text: `5.7.1 <${shown(recipient)}>: this mailbox may send only to domains hosted here` };
}

/** An address taken from the client, made safe to echo: printable ASCII, at most an address's length. */
function shown(address: string): string {
  return address.replace(/[^\x21-\x7e]/g, '?').slice(0, 254);
}

/** An Error that smtp-server turns into the reply. */
export function replyError(reply: Reply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}
