import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { accountMaildir, mailboxFolder } from '../domain/layout.js';
import type { DropMessage } from '../domain/pop3-maildrop.js';
import { baseName, uidOf, wireSizeFromName, withFlag } from '../domain/pop3-maildir.js';
import {
  claimNewMessages,
  findMessage,
  listCurrentMessages,
  measureWireSize,
  openMessage,
  removeMessages,
  renameMessage,
} from '../maildir/mailbox-reader.js';
import type { Principal } from './auth.js';
import type { ServiceContext } from './context.js';

/** A mailbox opened by one mail client session: its messages when it opened, and what the session may do to them. */
export interface OpenMaildrop {
  /** The mailbox folder, relative to the data folder (for logs). */
  folder: string;
  messages: DropMessage[];
  /** The stored message (LF line ends); null when another program removed it since the mailbox was opened. */
  read(uid: string): Promise<Readable | null>;
  /** Sets the Maildir "S" (seen) flag, as an IMAP client will then show it. */
  markSeen(uid: string): Promise<void>;
  /** Removes messages from disk; returns those that could not be removed. */
  remove(uids: readonly string[]): Promise<Array<{ uid: string; error: unknown }>>;
  /** Lets the next session open the mailbox. Idempotent. */
  release(): void;
}

export type OpenResult = { status: 'open'; maildrop: OpenMaildrop } | { status: 'in-use' } | { status: 'no-mailbox' };

/** Wire sizes are counted once per message and remembered (messages never change); the oldest are forgotten first. */
const SIZE_CACHE_LIMIT = 50_000;
const MEASURE_IN_PARALLEL = 8;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Mailbox access for mail clients (POP3): the Maildir of an authenticated principal, opened by one session at a time
 * (RFC 1939 section 8: an exclusive-access lock), new mail claimed into cur/, sizes as the client receives them.
 * The lock lives in this process, the only one that serves POP3; Dovecot keeps its own for IMAP.
 */
export function createMaildropService({ repos, store }: ServiceContext) {
  const inUse = new Set<string>();
  const wireSizes = new Map<string, number>();

  /** Where a principal's mail is delivered: an account's own Maildir, or a mailbox's folder (domain/layout.ts). */
  function folderOf(principal: Principal): string | null {
    if (principal.kind === 'account') return accountMaildir(principal.name);
    if (principal.kind === 'mailbox') {
      const mailbox = repos.mailboxes.findById(principal.id);
      return mailbox && mailboxFolder(mailbox.accountUsername, mailbox.name);
    }
    return null;
  }

  const sizeKey = (root: string, name: string) => `${root}\u0000${baseName(name)}`;

  async function wireSize(root: string, name: string): Promise<number> {
    const key = sizeKey(root, name);
    const known = wireSizes.get(key) ?? wireSizeFromName(name);
    if (known !== null && known !== undefined) return known;
    const size = await measureWireSize(join(root, 'cur', name));
    wireSizes.set(key, size);
    if (wireSizes.size > SIZE_CACHE_LIMIT) wireSizes.delete(wireSizes.keys().next().value!);
    return size;
  }

  /** The messages of cur/ with their sizes; a message removed by another program while counting is left out. */
  async function listMessages(root: string): Promise<Array<{ name: string; message: DropMessage }>> {
    const names = await listCurrentMessages(root);
    const seen = new Set<string>();
    const unique = names.filter((name) => {
      const uid = uidOf(name);
      if (seen.has(uid)) return false;
      seen.add(uid);
      return true;
    });
    const sized: Array<{ name: string; message: DropMessage } | null> = new Array(unique.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const index = next++;
        const name = unique[index]!;
        try {
          sized[index] = { name, message: { uid: uidOf(name), size: await wireSize(root, name) } };
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MEASURE_IN_PARALLEL, unique.length) }, worker));
    return sized.filter((each) => each !== null);
  }

  function openedMaildrop(folder: string, root: string, listed: Array<{ name: string; message: DropMessage }>): OpenMaildrop {
    const names = new Map(listed.map(({ name, message }) => [message.uid, name]));
    let released = false;

    /** The message's current name in cur/, found again if another program renamed it; null when it is gone. */
    const relocate = async (uid: string): Promise<string | null> => {
      const found = await findMessage(root, baseName(names.get(uid) ?? ''));
      if (!found) return null;
      let name = found.name;
      if (found.sub === 'new') {
        await claimNewMessages(root);
        name = (await findMessage(root, baseName(found.name)))?.name ?? name;
      }
      names.set(uid, name);
      return name;
    };

    const withCurrentName = async <T>(uid: string, task: (name: string) => Promise<T>): Promise<T | null> => {
      const name = names.get(uid);
      if (name === undefined) return null;
      try {
        return await task(name);
      } catch (error) {
        if (!isMissing(error)) throw error;
        const moved = await relocate(uid);
        return moved === null ? null : task(moved);
      }
    };

    return {
      folder,
      messages: listed.map(({ message }) => message),
      read: (uid) => withCurrentName(uid, (name) => openMessage(join(root, 'cur', name))),
      async markSeen(uid) {
        await withCurrentName(uid, async (name) => {
          const seen = withFlag(name, 'S');
          if (seen === null) return;
          await renameMessage(root, name, seen);
          names.set(uid, seen);
        });
      },
      async remove(uids) {
        const byName = new Map(uids.map((uid) => [names.get(uid) ?? '', uid]));
        const failed = await removeMessages(root, [...byName.keys()].filter((name) => name !== ''));
        for (const name of byName.keys()) wireSizes.delete(sizeKey(root, name));
        for (const uid of uids) names.delete(uid);
        return failed.map(({ name, error }) => ({ uid: byName.get(name)!, error }));
      },
      release() {
        if (released) return;
        released = true;
        inUse.delete(root);
      },
    };
  }

  return {
    folderOf,

    /**
     * Opens a principal's mailbox for one session: refused while another session holds it. New messages move to
     * cur/ first, so their names (and UIDLs) are the ones every later session sees.
     */
    async open(principal: Principal): Promise<OpenResult> {
      const folder = folderOf(principal);
      if (folder === null) return { status: 'no-mailbox' };
      const root = store.absolute(folder);
      if (inUse.has(root)) return { status: 'in-use' };
      inUse.add(root);
      try {
        await store.ensureMaildir(folder);
        await claimNewMessages(root);
        return { status: 'open', maildrop: openedMaildrop(folder, root, await listMessages(root)) };
      } catch (error) {
        inUse.delete(root);
        throw error;
      }
    },
  };
}

export type MaildropService = ReturnType<typeof createMaildropService>;
