import type { RefusalReason } from './resolution.js';

/** One SMTP reply: the code and the text after it, which starts with the RFC 3463 enhanced status code. */
export interface SmtpReply {
  code: number;
  text: string;
}

/** Why a recipient is refused at RCPT: a resolution refusal, or a quota check on where it would land. */
export type RecipientRefusalReason = RefusalReason | 'MAILBOX_FULL' | 'DISK_FULL';

/**
 * The one table of recipient refusals and their replies. It lives with the pure rules, not under src/smtp, because the
 * listener answers with it and the route explanation (panel and `postyard route`) shows the very same reply.
 */
export function refusalReply(reason: RecipientRefusalReason, recipient: string, message: string | null): SmtpReply {
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
