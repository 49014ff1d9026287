import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server adds an RFC 3463 enhanced status code to every reply, chosen from the numeric code alone (every 550 gets
 * 5.1.1). Our refusals need others (550 5.7.1 for relaying, 550 5.4.6 for loops), so a reply whose text already starts
 * with an enhanced code keeps it, and smtp-server adds one only to its own replies. Tests in smtp-replies pin this.
 */
const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;
const originalSend = SMTPConnection.prototype.send;

SMTPConnection.prototype.send = function send(code: number, data?: string | string[] | null, context?: string | false) {
  const carriesOwnCode = typeof data === 'string' && ENHANCED_CODE.test(data);
  return originalSend.call(this, code, data, carriesOwnCode ? false : context);
};
