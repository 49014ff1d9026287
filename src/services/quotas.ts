import { accountMaildir, mailboxFolder } from '../domain/layout.js';
import { effectiveMailboxLimit, fitsWithin, usagePercent } from '../domain/quota.js';
import type { Destination } from '../domain/resolution.js';
import type { Account } from '../db/repositories/accounts.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import type { ServiceContext } from './context.js';
import { destinationFolder } from './routing.js';

/** A destination that belongs to an account, and so has limits: every local one but the server's postmaster. */
export type LocalDestination = Extract<Destination, { kind: 'account' | 'mailbox' }>;

export interface Usage {
  usage: number;
  limit: number | null;
  percent: number | null;
}

/** An account's total is counted over all its mailboxes at most this often; its own deliveries are added between. */
const ACCOUNT_TOTAL_MAX_AGE_MS = 30_000;
/** Folders counted at once in a recount, so the file-system work spreads over libuv's threads. */
const COUNT_BATCH = 32;

/** Usage and limits of mailboxes and accounts, from the Maildir folders and the one quota arithmetic of domain/quota.ts. */
export function createQuotaService({ repos, store }: ServiceContext) {
  const accountTotals = new Map<number, { bytes: number; countedAt: number }>();
  const recounts = new Map<number, Promise<number>>();

  async function mailboxLimit(destination: LocalDestination, account: Account, mailbox: Mailbox | null): Promise<number | null> {
    const quotaFile = await store.readQuotaFile(destinationFolder(destination));
    if (destination.kind === 'account') return quotaFile;
    return effectiveMailboxLimit({ quotaFile, individual: mailbox?.quotaBytes ?? null, accountDefault: account.mailboxQuotaBytes });
  }

  /** Counts every folder of an account, once at a time per account: concurrent callers share the count. */
  function recount(account: Account): Promise<number> {
    const running = recounts.get(account.id);
    if (running) return running;
    const count = (async () => {
      const folders = [
        accountMaildir(account.username),
        ...repos.mailboxes.listByAccount(account.id, 'virtual').map((m) => mailboxFolder(account.username, m.name)),
        ...repos.mailboxes.listByAccount(account.id, 'pop').map((m) => mailboxFolder(account.username, m.name)),
      ];
      let bytes = 0;
      for (let start = 0; start < folders.length; start += COUNT_BATCH) {
        const sizes = await Promise.all(folders.slice(start, start + COUNT_BATCH).map((folder) => store.usage(folder)));
        bytes += sizes.reduce((sum, size) => sum + size, 0);
      }
      accountTotals.set(account.id, { bytes, countedAt: Date.now() });
      return bytes;
    })().finally(() => recounts.delete(account.id));
    recounts.set(account.id, count);
    return count;
  }

  /**
   * Bytes used by an account: its own mailbox and every virtual account and POP mailbox it owns. An aged total is
   * served while a recount runs in the background, so no delivery waits for a count over many mailboxes; only the
   * first check of an account (or a page asking for a fresh figure) waits.
   */
  async function accountUsage(account: Account, { fresh = false } = {}): Promise<number> {
    const cached = accountTotals.get(account.id);
    if (fresh || !cached) return recount(account);
    if (Date.now() - cached.countedAt >= ACCOUNT_TOTAL_MAX_AGE_MS) void recount(account).catch(() => undefined);
    return cached.bytes;
  }

  return {
    mailboxLimit,
    accountUsage,

    /**
     * Where a message of `size` bytes for this destination stands before delivery, against the mailbox's limit and the
     * account's disk quota. Usage is counted only where a limit applies. A full mailbox takes nothing more, not even
     * an empty message.
     */
    async room(destination: LocalDestination, size: number) {
      const accountId = destination.kind === 'account' ? destination.account.id : destination.mailbox.accountId;
      const account = repos.accounts.findById(accountId)!;
      const mailbox = destination.kind === 'mailbox' ? repos.mailboxes.findById(destination.mailbox.id) : null;
      const limit = await mailboxLimit(destination, account, mailbox);
      const usage = limit === null ? 0 : await store.usage(destinationFolder(destination));
      const accountBytes = account.diskQuotaBytes === null ? 0 : await accountUsage(account);
      const needed = Math.max(size, 1);
      const notify = mailbox?.notifyAt90 ?? true;
      return {
        account,
        notify,
        mailbox: { usage, limit, fits: fitsWithin(usage, needed, limit) },
        disk: { usage: accountBytes, limit: account.diskQuotaBytes, fits: fitsWithin(accountBytes, needed, account.diskQuotaBytes) },
      };
    },

    /**
     * Counts a delivery toward the account's cached total and returns the total before and after it. Synchronous on
     * purpose: concurrent deliveries each see a distinct "before", so exactly one of them crosses the warning line.
     */
    recordDelivery(accountId: number, bytes: number): { before: number; after: number } | null {
      const cached = accountTotals.get(accountId);
      if (!cached) return null;
      const before = cached.bytes;
      cached.bytes += bytes;
      return { before, after: cached.bytes };
    },

    async mailboxUsage(mailbox: Mailbox): Promise<Usage> {
      const account = repos.accounts.findById(mailbox.accountId)!;
      const destination: LocalDestination = { kind: 'mailbox', mailbox };
      const limit = await mailboxLimit(destination, account, mailbox);
      const usage = await store.usage(destinationFolder(destination));
      return { usage, limit, percent: usagePercent(usage, limit) };
    },

    async accountDiskUsage(account: Account): Promise<Usage> {
      const usage = await accountUsage(account, { fresh: true });
      return { usage, limit: account.diskQuotaBytes, percent: usagePercent(usage, account.diskQuotaBytes) };
    },
  };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
