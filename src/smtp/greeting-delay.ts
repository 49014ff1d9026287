import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/**
 * smtp-server waits a fixed 100 ms before its 220 greeting and refuses a client that talks during the wait with
 * "421 You talk too soon" (a pre-greet test, as Postfix's postscreen does). For one message a connection that wait
 * caps a client at a few messages a second, and Postfix itself does not wait unless postscreen is turned on. For the
 * servers registered here the wait is ours to set: 0 greets at once (submission, and port 25 by default), a positive
 * value keeps the pre-greet test (POSTYARD_SMTP_GREETING_DELAY). Tests in smtp-greeting pin both.
 */
const delays = new WeakMap<SMTPServer, number>();

export function setGreetingDelay(server: SMTPServer, milliseconds: number): void {
  delays.set(server, milliseconds);
}

const originalInit = SMTPConnection.prototype.init;

SMTPConnection.prototype.init = function init() {
  const delay = delays.get(this._server);
  if (delay === undefined) return originalInit.call(this);
  this._setListeners(() => {
    // As smtp-server's own init: a server over its client limit refuses before greeting.
    const { maxClients } = this._server.options;
    if (maxClients && this._server.connections.size > maxClients) {
      return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
    }
    if (delay === 0) return this.connectionReady();
    setTimeout(() => this.connectionReady(), delay).unref();
  });
};
