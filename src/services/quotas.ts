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

/** Usage and limits of mailboxes and accounts, from the Maildir folders and the one quota arithmetic of domain/quota.ts. */
export function createQuotaService({ repos, store }: ServiceContext) {
  const accountTotals = new Map<number, { bytes: number; countedAt: number }>();

  async function mailboxLimit(destination: LocalDestination, account: Account): Promise<number | null> {
    const quotaFile = await store.readQuotaFile(destinationFolder(destination));
    if (destination.kind === 'account') return quotaFile;
    const mailbox = repos.mailboxes.findById(destination.mailbox.id);
    return effectiveMailboxLimit({ quotaFile, individual: mailbox?.quotaBytes ?? null, accountDefault: account.mailboxQuotaBytes });
  }

  /** Bytes used by an account: its own mailbox and every virtual account and POP mailbox it owns. */
  async function accountUsage(account: Account, { fresh = false } = {}): Promise<number> {
    const cached = accountTotals.get(account.id);
    if (!fresh && cached && Date.now() - cached.countedAt < ACCOUNT_TOTAL_MAX_AGE_MS) return cached.bytes;
    const folders = [
      accountMaildir(account.username),
      ...repos.mailboxes.listByAccount(account.id, 'virtual').map((m) => mailboxFolder(account.username, m.name)),
      ...repos.mailboxes.listByAccount(account.id, 'pop').map((m) => mailboxFolder(account.username, m.name)),
    ];
    let bytes = 0;
    for (const folder of folders) bytes += await store.usage(folder);
    accountTotals.set(account.id, { bytes, countedAt: Date.now() });
    return bytes;
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
      const limit = await mailboxLimit(destination, account);
      const usage = limit === null ? 0 : await store.usage(destinationFolder(destination));
      const accountBytes = account.diskQuotaBytes === null ? 0 : await accountUsage(account);
      const needed = Math.max(size, 1);
      const notify = destination.kind === 'account' || (repos.mailboxes.findById(destination.mailbox.id)?.notifyAt90 ?? true);
      return {
        account,
        notify,
        mailbox: { usage, limit, fits: fitsWithin(usage, needed, limit) },
        disk: { usage: accountBytes, limit: account.diskQuotaBytes, fits: fitsWithin(accountBytes, needed, account.diskQuotaBytes) },
      };
    },

    /** Counts a delivery toward a cached account total, so the next check between recounts sees it. */
    recordDelivery(accountId: number, bytes: number) {
      const cached = accountTotals.get(accountId);
      if (cached) cached.bytes += bytes;
    },

    async mailboxUsage(mailbox: Mailbox): Promise<Usage> {
      const account = repos.accounts.findById(mailbox.accountId)!;
      const destination: LocalDestination = { kind: 'mailbox', mailbox };
      const limit = await mailboxLimit(destination, account);
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
