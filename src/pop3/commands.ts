import { parseLineCount, parseMessageNumber, type Pop3Command } from '../domain/pop3-commands.js';
import type { MessageLookup, Pop3Maildrop } from '../domain/pop3-maildrop.js';
import type { OpenMaildrop } from '../services/maildrops.js';
import type { Pop3Connection } from './connection.js';
import type { Pop3Logger } from './session.js';
import { REPLIES } from './replies.js';
import { sendLines, sendMessage } from './transfer.js';

/** What a TRANSACTION-state command works on: the session's open mailbox and its deletion marks. */
export interface TransactionContext {
  connection: Pop3Connection;
  drop: Pop3Maildrop;
  maildrop: OpenMaildrop;
  log: Pop3Logger;
  session: string;
}

/** Returns false when the session cannot go on (the client left during a transfer, or a file could not be read). */
type Handler = (context: TransactionContext, command: Pop3Command) => Promise<boolean>;

const reply = async (context: TransactionContext, line: string) => {
  await context.connection.writeLine(line);
  return true;
};

const refusal = (found: Extract<MessageLookup, { ok: false }>) =>
  found.reason === 'DELETED' ? REPLIES.deleted(found.number) : REPLIES.noSuchMessage(found.number);

/** The message a command's first argument names, or the reply that refuses it. */
function lookup(context: TransactionContext, argument: string | undefined): MessageLookup | string {
  const number = parseMessageNumber(argument);
  if (number === null) return REPLIES.invalidNumber;
  return context.drop.get(number);
}

async function transfer(context: TransactionContext, command: Pop3Command, bodyLines: number | null): Promise<boolean> {
  const found = lookup(context, command.args[0]);
  if (typeof found === 'string') return reply(context, found);
  if (!found.ok) return reply(context, refusal(found));
  const file = await context.maildrop.read(found.message.uid);
  if (!file) return reply(context, REPLIES.messageGone(found.number));
  await context.connection.writeLine(bodyLines === null ? REPLIES.retrieving(found.message.size) : REPLIES.top);
  try {
    if (!(await sendMessage(context.connection, file, bodyLines))) return false;
  } catch (error) {
    // The status line is already sent: the only honest way to fail now is to close the connection.
    context.log.error({ err: error, session: context.session, folder: context.maildrop.folder, uid: found.message.uid }, 'reading a message failed during a transfer');
    context.connection.destroy();
    return false;
  }
  if (bodyLines === null) {
    await context.maildrop.markSeen(found.message.uid).catch((error: unknown) => {
      context.log.warn({ err: error, session: context.session, folder: context.maildrop.folder, uid: found.message.uid }, 'could not set the seen flag');
    });
  }
  return true;
}

export const TRANSACTION_COMMANDS: Record<string, Handler> = {
  async NOOP(context) {
    return reply(context, REPLIES.noop);
  },

  async STAT(context) {
    const { count, octets } = context.drop.stat();
    return reply(context, REPLIES.stat(count, octets));
  },

  async LIST(context, command) {
    if (command.args.length === 0) {
      const { count, octets } = context.drop.stat();
      const lines = context.drop.listing().map(({ number, message }) => `${number} ${message.size}`);
      await sendLines(context.connection, REPLIES.listing(count, octets), lines);
      return true;
    }
    const found = lookup(context, command.args[0]);
    if (typeof found === 'string') return reply(context, found);
    return reply(context, found.ok ? REPLIES.listOne(found.number, found.message.size) : refusal(found));
  },

  async UIDL(context, command) {
    if (command.args.length === 0) {
      const lines = context.drop.listing().map(({ number, message }) => `${number} ${message.uid}`);
      await sendLines(context.connection, REPLIES.uidlAll, lines);
      return true;
    }
    const found = lookup(context, command.args[0]);
    if (typeof found === 'string') return reply(context, found);
    return reply(context, found.ok ? REPLIES.uidlOne(found.number, found.message.uid) : refusal(found));
  },

  async RETR(context, command) {
    return transfer(context, command, null);
  },

  async TOP(context, command) {
    const lines = parseLineCount(command.args[1]);
    if (command.args.length !== 2 || lines === null) return reply(context, REPLIES.badArguments);
    return transfer(context, command, lines);
  },

  async DELE(context, command) {
    const found = lookup(context, command.args[0]);
    if (typeof found === 'string') return reply(context, found);
    const marked = found.ok ? context.drop.delete(found.number) : found;
    return reply(context, marked.ok ? REPLIES.markedDeleted(marked.number) : refusal(marked));
  },

  async RSET(context) {
    context.drop.reset();
    const { count, octets } = context.drop.stat();
    return reply(context, REPLIES.reset(count, octets));
  },
};
