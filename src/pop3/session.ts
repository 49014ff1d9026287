import type { SecureContext } from 'node:tls';
import type { BaseLogger } from 'pino';
import { parseCommandLine, type Pop3Command } from '../domain/pop3-commands.js';
import { capabilities, decodeSaslPlain, saslMechanisms, userPassAllowed, type ConnectionFacts } from '../domain/pop3-login.js';
import { Pop3Maildrop } from '../domain/pop3-maildrop.js';
import type { AuthService } from '../services/auth.js';
import type { LoginThrottle } from '../services/login-throttle.js';
import type { MaildropService, OpenMaildrop } from '../services/maildrops.js';
import { TRANSACTION_COMMANDS } from './commands.js';
import type { Pop3Connection } from './connection.js';
import { REPLIES } from './replies.js';
import { sendLines } from './transfer.js';

export type Pop3Logger = Pick<BaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface SessionDeps {
  auth: AuthService;
  maildrops: MaildropService;
  throttle: LoginThrottle;
  log: Pop3Logger;
  tlsContext: SecureContext | null;
  loopbackPlaintext: boolean;
}

const AUTHORIZATION_COMMANDS = new Set(['USER', 'PASS', 'AUTH', 'STLS']);

/**
 * One POP3 session (RFC 1939 section 3): AUTHORIZATION until a login opens the mailbox, TRANSACTION while the client
 * reads and marks messages, UPDATE only after QUIT. A connection that ends any other way (dropped, timed out, server
 * shutting down) removes nothing, and always releases the mailbox.
 */
export class Pop3Session {
  private state: 'authorization' | 'transaction' | 'update' = 'authorization';
  private user: string | null = null;
  private opened: { maildrop: OpenMaildrop; drop: Pop3Maildrop } | null = null;
  private stopping = false;
  private saidGoodbye = false;

  constructor(
    private readonly connection: Pop3Connection,
    private readonly deps: SessionDeps,
    readonly id: string,
  ) {}

  async run(): Promise<void> {
    const { connection, deps } = this;
    try {
      await connection.writeLine(REPLIES.greeting);
      for (;;) {
        if (this.stopping) {
          await this.goodbye();
          break;
        }
        const input = await connection.nextInput();
        if (input.kind === 'closed' || this.saidGoodbye) break;
        if (input.kind === 'too-long') {
          await connection.writeLine(REPLIES.lineTooLong);
          connection.end();
          break;
        }
        if (!(await this.handle(input.text))) break;
      }
    } catch (error) {
      deps.log.error({ err: error, session: this.id, client: connection.remoteAddress }, 'POP3 session failed');
      connection.destroy();
    } finally {
      this.opened?.maildrop.release();
    }
  }

  /** Server shutdown: an idle session is told at once; a busy one after its current command. Nothing is deleted. */
  shutdown(): void {
    this.stopping = true;
    if (this.connection.idle) void this.goodbye();
  }

  private async goodbye() {
    if (this.saidGoodbye) return;
    this.saidGoodbye = true;
    await this.connection.writeLine(REPLIES.shuttingDown);
    this.connection.end();
  }

  private facts(): ConnectionFacts {
    return {
      secure: this.connection.secure,
      tlsAvailable: this.deps.tlsContext !== null,
      clientAddress: this.connection.remoteAddress,
      loopbackPlaintext: this.deps.loopbackPlaintext,
    };
  }

  private async reply(line: string): Promise<boolean> {
    await this.connection.writeLine(line);
    return true;
  }

  /** Runs one command; false ends the session. */
  private async handle(line: string): Promise<boolean> {
    const command = parseCommandLine(line);
    if (!command) return this.reply(REPLIES.unknownCommand);
    this.deps.log.debug({ session: this.id, command: command.keyword, state: this.state }, 'POP3 command');
    try {
      if (command.keyword === 'CAPA') {
        const state = this.state === 'authorization' ? 'authorization' : 'transaction';
        await sendLines(this.connection, REPLIES.capabilities, capabilities(this.facts(), state));
        return true;
      }
      if (command.keyword === 'QUIT') return await this.quit();
      if (this.state === 'authorization') return await this.authorization(command);
      const handler = TRANSACTION_COMMANDS[command.keyword];
      if (handler) return await handler({ connection: this.connection, ...this.opened!, log: this.deps.log, session: this.id }, command);
      return this.reply(AUTHORIZATION_COMMANDS.has(command.keyword) ? REPLIES.notInTransaction : REPLIES.unknownCommand);
    } catch (error) {
      this.deps.log.error({ err: error, session: this.id, command: command.keyword, folder: this.opened?.maildrop.folder }, 'POP3 command failed');
      return this.reply(REPLIES.temporaryFailure);
    }
  }

  private async authorization(command: Pop3Command): Promise<boolean> {
    switch (command.keyword) {
      case 'USER': {
        if (!userPassAllowed(this.facts())) return this.reply(REPLIES.plaintextRefused);
        const name = command.rest.trim();
        if (name === '' || /\s/.test(name)) return this.reply(REPLIES.badArguments);
        this.user = name;
        return this.reply(REPLIES.userAccepted);
      }
      case 'PASS': {
        if (!userPassAllowed(this.facts())) return this.reply(REPLIES.plaintextRefused);
        const name = this.user;
        if (name === null) return this.reply(REPLIES.passWithoutUser);
        this.user = null; // a failed PASS starts the login over (RFC 1939 section 7)
        return this.reply(await this.login(name, command.rest));
      }
      case 'AUTH':
        return this.saslLogin(command);
      case 'STLS':
        return this.startTls();
      default:
        return this.reply(TRANSACTION_COMMANDS[command.keyword] ? REPLIES.notLoggedIn : REPLIES.unknownCommand);
    }
  }

  private async startTls(): Promise<boolean> {
    const context = this.deps.tlsContext;
    if (this.connection.secure) return this.reply(REPLIES.tlsActive);
    if (!context) return this.reply(REPLIES.tlsUnavailable);
    this.user = null;
    const secured = await this.connection.startTls(context, REPLIES.startTls);
    if (!secured) this.deps.log.info({ session: this.id, client: this.connection.remoteAddress }, 'POP3 TLS handshake failed');
    return secured;
  }

  /** RFC 5034: AUTH PLAIN with an initial response, or with a "+ " continuation; "*" cancels. */
  private async saslLogin(command: Pop3Command): Promise<boolean> {
    const mechanisms = saslMechanisms(this.facts());
    const [requested, initial] = command.args;
    if (requested === undefined) {
      await sendLines(this.connection, REPLIES.mechanisms, mechanisms);
      return true;
    }
    if (requested.toUpperCase() !== 'PLAIN') return this.reply(REPLIES.unsupportedMechanism);
    if (!mechanisms.includes('PLAIN')) return this.reply(REPLIES.plaintextRefused);
    let response = initial;
    if (response === undefined) {
      await this.connection.writeLine(REPLIES.saslContinue);
      const input = await this.connection.nextInput();
      if (input.kind === 'closed') return false;
      if (input.kind === 'too-long') return this.reply(REPLIES.malformedCredentials);
      response = input.text;
    }
    if (response.trim() === '*') return this.reply(REPLIES.authCancelled);
    const decoded = decodeSaslPlain(response.trim() === '=' ? '' : response);
    if (!decoded.ok) return this.reply(decoded.reason === 'PROXY_LOGIN' ? REPLIES.proxyLoginRefused : REPLIES.malformedCredentials);
    return this.reply(await this.login(decoded.username, decoded.password));
  }

  /** One login for USER/PASS and AUTH PLAIN: throttled, checked by the auth service, then the mailbox is locked. */
  private async login(name: string, password: string): Promise<string> {
    const { auth, maildrops, throttle, log } = this.deps;
    const client = this.connection.remoteAddress;
    const user = name.slice(0, 254);
    if (throttle.isBlocked(name, client)) {
      log.info({ session: this.id, user, client }, 'POP3 login throttled');
      return REPLIES.throttled;
    }
    let principal;
    try {
      principal = await auth.authenticate(name, password, 'pop3');
    } catch (error) {
      log.error({ err: error, session: this.id, user, client }, 'POP3 login failed with an internal error');
      return REPLIES.temporaryFailure;
    }
    if (!principal) {
      throttle.recordFailure(name, client);
      log.info({ session: this.id, user, client }, 'POP3 login refused');
      return REPLIES.authFailed;
    }
    throttle.recordSuccess(name);
    let opened;
    try {
      opened = await maildrops.open(principal);
    } catch (error) {
      log.error({ err: error, session: this.id, user: principal.name, folder: maildrops.folderOf(principal) }, 'could not open the mailbox');
      return REPLIES.temporaryFailure;
    }
    if (opened.status === 'in-use') {
      log.info({ session: this.id, user: principal.name, client }, 'POP3 login refused: mailbox in use');
      return REPLIES.inUse;
    }
    if (opened.status === 'no-mailbox') return REPLIES.noMailbox;
    const drop = new Pop3Maildrop(opened.maildrop.messages);
    this.opened = { maildrop: opened.maildrop, drop };
    this.state = 'transaction';
    const { count, octets } = drop.stat();
    log.info({ session: this.id, user: principal.name, client, folder: opened.maildrop.folder, messages: count }, 'POP3 login');
    return REPLIES.loggedIn(count, octets);
  }

  /** QUIT: in TRANSACTION, the UPDATE state removes the marked messages from disk, then the mailbox is released. */
  private async quit(): Promise<boolean> {
    if (this.state !== 'transaction' || !this.opened) {
      await this.connection.writeLine(REPLIES.signOff);
      this.connection.end();
      return false;
    }
    this.state = 'update';
    const { maildrop, drop } = this.opened;
    const doomed = drop.markedForDeletion();
    let line: string;
    try {
      const failed = await maildrop.remove(doomed.map((message) => message.uid));
      for (const { uid, error } of failed) {
        this.deps.log.error({ err: error, session: this.id, folder: maildrop.folder, uid }, 'could not remove a deleted message');
      }
      line = failed.length > 0 ? REPLIES.updateFailed : REPLIES.signOffAfterUpdate(drop.stat().count);
    } catch (error) {
      this.deps.log.error({ err: error, session: this.id, folder: maildrop.folder }, 'removing deleted messages failed');
      line = REPLIES.updateFailed;
    }
    maildrop.release();
    if (doomed.length > 0) this.deps.log.info({ session: this.id, folder: maildrop.folder, removed: doomed.length }, 'POP3 messages removed');
    await this.connection.writeLine(line);
    this.connection.end();
    return false;
  }
}
