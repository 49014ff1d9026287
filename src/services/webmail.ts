import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { PostyardError } from '../domain/errors.js';
import { hasFlag } from '../domain/mailbox-flags.js';
import { uidOf, withFlag } from '../domain/pop3-maildir.js';
import { downloadName, downloadType } from '../domain/webmail-download.js';
import { sanitizeMessageHtml } from '../domain/webmail-html.js';
import { deliveredAt, formatAddresses, isHashedMessageId, isMessageId, isSeen, messageIdOf, pageWindow, type PageWindow } from '../domain/webmail-message.js';
import { claimNewMessages, findMessage, listCurrentMessages, openMessage, removeMessages, renameMessage } from '../maildir/mailbox-reader.js';
import { sizeFromName } from '../maildir/unique-name.js';
import type { Principal } from './auth.js';
import { headerBlockOf } from './autoreply-headers.js';
import type { ServiceContext } from './context.js';
import type { MaildropService } from './maildrops.js';

export interface MessageSummary {
  /** The message's POP3 UIDL (its Maildir base name, or a hash of a long one): stable across flag changes. */
  id: string;
  from: string;
  subject: string;
  date: Date | null;
  /** Bytes as stored (the ",S=" tag, or the file's size). */
  size: number;
  seen: boolean;
}

export interface MessagePage extends PageWindow {
  messages: MessageSummary[];
  unread: number;
}

export interface MessageAttachment {
  index: number;
  fileName: string;
  contentType: string;
  size: number;
}

export interface MessageView extends MessageSummary {
  to: string;
  cc: string;
  replyTo: string;
  /** The text part, or text made from the HTML part by mailparser; shown escaped. */
  text: string;
  hasHtml: boolean;
  /** Remote images the sanitised HTML leaves out. */
  blockedImages: number;
  attachments: MessageAttachment[];
}

export const MESSAGES_PER_PAGE = 50;
/** A list row needs a few headers near the top; a header block longer than this is cut (and still parsed). */
const HEADER_READ_LIMIT = 64 * 1024;
const HEADER_READ_STEP = 4 * 1024;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const noSuchMessage = () => new PostyardError('NOT_FOUND', 'There is no such message in this mailbox.');

const HEADERS_ONLY = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true };

const addressText = (value: AddressObject | AddressObject[] | undefined) => formatAddresses([value ?? []].flat().flatMap((each) => each.value));
const validDate = (date: Date | undefined) => (date && !Number.isNaN(date.getTime()) ? date : null);

/** Who sent it, as the list shows it: the first sender's name, else its address. */
function senderOf(parsed: ParsedMail): string {
  const first = [parsed.from ?? []].flat()[0]?.value[0];
  return first?.name || first?.address || parsed.from?.text || '';
}

/**
 * Webmail (issue 5, item 3): a mailbox user reads, downloads from and deletes the mail of its own mailbox, and no
 * one else's. Admins and account owners manage mailboxes but do not read them (FORBIDDEN). The folder comes from
 * services.maildrops, and the Maildir is read with the POP3 listener's reader: new/ claimed into cur/, names listed
 * without opening files, a message found only among its own folder's entries, "S" set by renaming as RETR does.
 * Webmail takes no POP3 session lock: like Dovecot it is another reader, and the POP3 session copes with a message
 * renamed or deleted under it.
 */
export function createWebmailService({ repos, store }: ServiceContext, maildrops: MaildropService) {
  /** The principal's own mailbox folder (absolute), or FORBIDDEN for anyone but a mailbox user allowed webmail. */
  async function mailboxRoot(principal: Principal): Promise<string> {
    if (principal.kind !== 'mailbox') {
      throw new PostyardError('FORBIDDEN', 'Webmail shows a mailbox to its own user: log in with the mailbox address or POP username to read its mail.');
    }
    const mailbox = repos.mailboxes.findById(principal.id);
    const folder = maildrops.folderOf(principal);
    if (!mailbox || mailbox.disabled || folder === null) throw new PostyardError('FORBIDDEN', 'This mailbox cannot be opened.');
    if (hasFlag(mailbox.flags, 'noWebmail')) throw new PostyardError('FORBIDDEN', 'Webmail is turned off for this mailbox.');
    await store.ensureMaildir(folder);
    return store.absolute(folder);
  }

  /**
   * The current name in cur/ of the message with this id, among the entries of the mailbox's own cur/ and new/ (one
   * still in new/ is claimed first). A plain id is compared with base names; a hashed one with each name's UIDL.
   */
  async function locate(root: string, id: string): Promise<string> {
    if (!isMessageId(id)) throw noSuchMessage();
    if (isHashedMessageId(id)) {
      await claimNewMessages(root);
      const name = (await listCurrentMessages(root)).find((each) => uidOf(each) === id);
      if (name === undefined) throw noSuchMessage();
      return name;
    }
    let found = await findMessage(root, id);
    if (found?.sub === 'new') {
      await claimNewMessages(root);
      found = await findMessage(root, id);
    }
    if (!found || found.sub !== 'cur') throw noSuchMessage();
    return found.name;
  }

  /** Runs a task on the message's file, finding it once more if another program renamed it in between. */
  async function withMessage<T>(root: string, id: string, task: (name: string) => Promise<T>): Promise<T> {
    try {
      return await task(await locate(root, id));
    } catch (error) {
      if (!isMissing(error)) throw error;
      return task(await locate(root, id));
    }
  }

  /** The header block of a stored message, read in small steps and never past HEADER_READ_LIMIT. */
  async function readHeaderBlock(path: string): Promise<Buffer> {
    const handle = await open(path, 'r');
    try {
      let read = Buffer.alloc(0);
      while (read.length < HEADER_READ_LIMIT) {
        const chunk = Buffer.alloc(HEADER_READ_STEP);
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, read.length);
        if (bytesRead === 0) break;
        read = Buffer.concat([read, chunk.subarray(0, bytesRead)]);
        const block = headerBlockOf(read);
        if (block.length < read.length) return block;
      }
      return read.subarray(0, HEADER_READ_LIMIT);
    } finally {
      await handle.close();
    }
  }

  async function summarize(root: string, name: string, id: string): Promise<MessageSummary | null> {
    try {
      const path = join(root, 'cur', name);
      const block = await readHeaderBlock(path);
      const parsed = await simpleParser(Buffer.concat([block, Buffer.from('\n\n')]), HEADERS_ONLY);
      return {
        id,
        from: senderOf(parsed),
        subject: parsed.subject ?? '',
        date: validDate(parsed.date) ?? deliveredAt(name),
        size: sizeFromName(name) ?? (await stat(path)).size,
        seen: isSeen(name),
      };
    } catch (error) {
      // Removed or renamed by another program since the folder was listed: the next visit shows it as it is now.
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async function parse(root: string, id: string): Promise<{ name: string; parsed: ParsedMail; size: number }> {
    return withMessage(root, id, async (name) => {
      const path = join(root, 'cur', name);
      const size = sizeFromName(name) ?? (await stat(path)).size;
      const parsed = await simpleParser(await openMessage(path), { skipTextToHtml: true, skipTextLinks: true });
      return { name, parsed, size };
    });
  }

  /** Sets "S" by renaming within cur/, as the POP3 listener's RETR does; a message moved meanwhile keeps its flags. */
  async function markSeen(root: string, name: string): Promise<void> {
    const seen = withFlag(name, 'S');
    if (seen === null) return;
    await renameMessage(root, name, seen).catch((error: unknown) => (isMissing(error) ? undefined : Promise.reject(error)));
  }

  return {
    /** One page of the inbox, newest first; only the messages on the page are opened, and only their headers read. */
    async list(principal: Principal, requestedPage: unknown, perPage = MESSAGES_PER_PAGE): Promise<MessagePage> {
      const root = await mailboxRoot(principal);
      await claimNewMessages(root);
      const seenIds = new Set<string>();
      const entries: Array<{ name: string; id: string }> = [];
      for (const name of (await listCurrentMessages(root)).reverse()) {
        const id = messageIdOf(name);
        if (id === null || seenIds.has(id)) continue;
        seenIds.add(id);
        entries.push({ name, id });
      }
      const window = pageWindow(entries.length, requestedPage, perPage);
      const summaries = await Promise.all(entries.slice(window.start, window.end).map(({ name, id }) => summarize(root, name, id)));
      return {
        ...window,
        unread: entries.filter(({ name }) => !isSeen(name)).length,
        messages: summaries.filter((each): each is MessageSummary => each !== null),
      };
    },

    /** A message's headers only, for the delete confirmation. */
    async summary(principal: Principal, id: string): Promise<MessageSummary> {
      const root = await mailboxRoot(principal);
      const found = (await summarize(root, await locate(root, id), id)) ?? (await summarize(root, await locate(root, id), id));
      if (found === null) throw noSuchMessage();
      return found;
    },

    /** The whole message, parsed; reading it marks it seen. */
    async read(principal: Principal, id: string): Promise<MessageView> {
      const root = await mailboxRoot(principal);
      const { name, parsed, size } = await parse(root, id);
      await markSeen(root, name);
      const html = typeof parsed.html === 'string' && parsed.html.trim() !== '' ? sanitizeMessageHtml(parsed.html) : null;
      return {
        id,
        from: addressText(parsed.from),
        to: addressText(parsed.to),
        cc: addressText(parsed.cc),
        replyTo: addressText(parsed.replyTo),
        subject: parsed.subject ?? '',
        date: validDate(parsed.date) ?? deliveredAt(name),
        size,
        seen: true,
        text: parsed.text ?? '',
        hasHtml: html !== null && html.html.trim() !== '',
        blockedImages: html?.blockedImages ?? 0,
        attachments: parsed.attachments.map((attachment, index) => ({
          index,
          fileName: downloadName(attachment.filename, index),
          contentType: downloadType(attachment.contentType),
          size: attachment.size ?? attachment.content.length,
        })),
      };
    },

    /** The HTML part made safe (domain/webmail-html.ts); "" when the message has none. */
    async html(principal: Principal, id: string): Promise<string> {
      const root = await mailboxRoot(principal);
      const { parsed } = await parse(root, id);
      return typeof parsed.html === 'string' ? sanitizeMessageHtml(parsed.html).html : '';
    },

    /** One attachment's bytes, by its position in the message, with the name and type to download it as. */
    async attachment(principal: Principal, id: string, index: number): Promise<{ fileName: string; contentType: string; content: Buffer }> {
      const root = await mailboxRoot(principal);
      const { parsed } = await parse(root, id);
      const attachment = parsed.attachments[index];
      if (!attachment) throw new PostyardError('NOT_FOUND', 'The message has no such attachment.');
      return { fileName: downloadName(attachment.filename, index), contentType: downloadType(attachment.contentType), content: attachment.content };
    },

    /** Removes the message's file from the mailbox, durably (the folder is flushed). */
    async remove(principal: Principal, id: string): Promise<void> {
      const root = await mailboxRoot(principal);
      const name = await locate(root, id);
      const [failed] = await removeMessages(root, [name]);
      if (failed) throw failed.error;
    },
  };
}

export type WebmailService = ReturnType<typeof createWebmailService>;
