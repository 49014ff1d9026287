import type { RecipientVerdict } from '../services/delivery.js';

/** One SMTP reply: the code and the text after it, which starts with the RFC 3463 enhanced status code. */
export interface Reply {
  code: number;
  text: string;
}

type RefusalReason = Extract<RecipientVerdict, { accepted: false }>['reason'];

/**
 * The one table of refusals and their replies. A database or disk failure is always 451 4.3.0, so that the sender
 * retries instead of bouncing.
 */
export function refusalReply(reason: RefusalReason, recipient: string, message: string | null): Reply {
  switch (reason) {
    case 'MALFORMED_ADDRESS':
      return { code: 553, text: `5.1.3 <${recipient}>: malformed address` };
    case 'RELAY_DENIED':
      return { code: 550, text: `5.7.1 <${recipient}>: relaying denied, the domain is not hosted here` };
    case 'RULE_FAILED':
      return { code: 550, text: `5.1.1 <${recipient}>: ${message ?? 'no such user here'}` };
    case 'NO_SUCH_USER':
      return { code: 550, text: `5.1.1 <${recipient}>: no such user here` };
    case 'MAILBOX_BOUNCES':
      return { code: 550, text: `5.2.1 <${recipient}>: mailbox disabled, not accepting messages` };
    case 'FORWARD_LOOP':
      return { code: 550, text: `5.4.6 <${recipient}>: forwarding loop detected` };
    case 'MAILBOX_FULL':
      return { code: 552, text: `5.2.2 <${recipient}>: mailbox full` };
    case 'DISK_FULL':
      return { code: 552, text: `5.2.2 <${recipient}>: the account's disk quota is used up` };
  }
}

export const REPLIES = {
  temporaryFailure: { code: 451, text: '4.3.0 local error in processing, please try again later' },
  tooManyRecipients: { code: 452, text: '4.5.3 too many recipients' },
  messageTooBig: { code: 552, text: '5.3.4 message exceeds the size limit' },
  authenticationRequired: { code: 530, text: '5.7.0 authentication required' },
  authenticationFailed: { code: 535, text: '5.7.8 authentication failed' },
  encryptionRequired: { code: 538, text: '5.7.11 encryption required for authentication' },
  malformedSender: { code: 553, text: '5.1.7 malformed sender address' },
} as const satisfies Record<string, Reply>;

/** An Error that smtp-server turns into the reply. */
export function replyError(reply: Reply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}
