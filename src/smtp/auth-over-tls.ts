import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { REPLIES } from './replies.js';

/**
 * smtp-server refuses AUTH before STARTTLS (unless allowInsecureAuth) but still lists AUTH in the EHLO reply of a
 * plain connection, which invites a client to send its password in the clear. RFC 3207 section 4.2 and RFC 4954
 * section 4 let a server offer AUTH only once TLS is up, as Postfix's smtpd_tls_auth_only does: for the servers
 * registered here, the EHLO reply of a plain connection leaves AUTH out, and an AUTH sent anyway gets our 538 5.7.11
 * from the reply table instead of smtp-server's own text. Tests in submission-tls pin both.
 */
const authOnlyOverTls = new WeakSet<SMTPServer>();

export function offerAuthOnlyOverTls(server: SMTPServer): void {
  authOnlyOverTls.add(server);
}

const originalSend = SMTPConnection.prototype.send;

SMTPConnection.prototype.send = function send(code: number, data?: string | string[] | null, context?: string | false) {
  if (!this.secure && authOnlyOverTls.has(this._server)) {
    // The EHLO reply is the only multi-line 250; its AUTH line is the feature smtp-server adds.
    if (code === 250 && Array.isArray(data)) return originalSend.call(this, code, data.filter((line) => !/^AUTH\b/i.test(line)), context);
    // Our text carries its own enhanced code: no context, so smtp-server adds none (whichever patch runs first).
    if (code === 538) return originalSend.call(this, REPLIES.encryptionRequired.code, REPLIES.encryptionRequired.text, false);
  }
  return originalSend.call(this, code, data, context);
};
