import { z } from 'zod';
import { mailboxFolder } from '../domain/layout.js';
import { PostyardError, invalid, notFound } from '../domain/errors.js';
import {
  bcryptHashSchema,
  displayNameSchema,
  emailSchema,
  ftpHomeSchema,
  optionalSizeSchema,
  parseInput,
  passwordSchema,
  usernameSchema,
  domainNameSchema,
} from '../domain/schemas.js';
import type { Account } from '../db/repositories/accounts.js';
import type { Mailbox, MailboxSettings } from '../db/repositories/mailboxes.js';
import { hashPassword } from './passwords.js';
import { POP_PACK_SIZE } from './accounts.js';
import type { ServiceContext } from './context.js';

export const newVirtualAccountSchema = z.object({
  address: emailSchema,
  /** When given, the account whose hosted domains the address must be on (the panel's Virtual Account Manager). */
  account: usernameSchema.optional(),
  password: passwordSchema,
  quota: optionalSizeSchema.default(null),
  displayName: displayNameSchema.default(''),
  flags: z.number().int().min(0).default(0),
  ftpEnabled: z.boolean().default(false),
  ftpHome: ftpHomeSchema.optional(),
});
export type NewVirtualAccountInput = z.input<typeof newVirtualAccountSchema>;

export const newPopMailboxSchema = z.object({
  username: usernameSchema,
  account: usernameSchema,
  domain: domainNameSchema.optional(),
  displayName: displayNameSchema.default(''),
  password: passwordSchema,
  quota: optionalSizeSchema.default(null),
});
export type NewPopMailboxInput = z.input<typeof newPopMailboxSchema>;

export const mailboxSettingsSchema = z.object({
  displayName: displayNameSchema.optional(),
  quota: optionalSizeSchema.optional(),
  notifyAt90: z.boolean().optional(),
  disabled: z.boolean().optional(),
  flags: z.number().int().min(0).optional(),
  hiddenFromAddressBook: z.boolean().optional(),
  ftpEnabled: z.boolean().optional(),
  ftpHome: ftpHomeSchema.nullable().optional(),
});
export type MailboxSettingsInput = z.input<typeof mailboxSettingsSchema>;

/** Storage management (seed 001): each mailbox's individual limit (null: the account's default) and notify-at-90 %. */
export const storageLimitsSchema = z.object({
  rows: z.array(z.object({ mailbox: z.string(), quota: optionalSizeSchema, notifyAt90: z.boolean() })).max(1000),
});
export type StorageLimitsInput = z.input<typeof storageLimitsSchema>['rows'];

const kindName = (mailbox: Mailbox) => (mailbox.kind === 'virtual' ? 'virtual-account' : 'pop-mailbox');

const taken = (field: string, what: string) =>
  new PostyardError('MAILBOX_EXISTS', `${what} already exists`, [{ field, message: 'already exists' }]);

/** An FTP login needs the folder it opens in (seed 000: "specify in the HOME field a path"). */
function requireFtpHome(settings: { ftpEnabled: boolean; ftpHome?: string | null }) {
  if (settings.ftpEnabled && !settings.ftpHome) throw invalid('ftpHome', 'is needed for FTP access: the folder the FTP login opens in');
}

export function createMailboxService({ db, repos, store, audit }: ServiceContext) {
  /** A mailbox by the name a user logs in with: a full address for a virtual account, a username for a POP mailbox. */
  const findMailbox = (name: string): Mailbox | null => {
    const key = name.trim().toLowerCase();
    return key.includes('@') ? repos.mailboxes.findByAddress(key) : repos.mailboxes.findPopByUsername(key);
  };
  const requireMailbox = (name: string): Mailbox => {
    const mailbox = findMailbox(name);
    if (!mailbox) throw notFound(name.includes('@') ? 'virtual account' : 'POP mailbox', name);
    return mailbox;
  };
  const folderOf = (mailbox: Pick<Mailbox, 'accountUsername' | 'name'>) => mailboxFolder(mailbox.accountUsername, mailbox.name);

  const insertVirtualAccount = db.transaction((input: z.output<typeof newVirtualAccountSchema>, passwordHash: string) => {
    const domainName = input.address.slice(input.address.lastIndexOf('@') + 1);
    const domain = repos.domains.findByName(domainName);
    if (!domain) {
      throw new PostyardError('DOMAIN_NOT_HOSTED', `${domainName} is not hosted here: add the domain first`, [
        { field: 'address', message: `the domain ${domainName} is not hosted here` },
      ]);
    }
    if (input.account !== undefined && domain.accountUsername !== input.account) {
      throw new PostyardError('DOMAIN_NOT_HOSTED', `${domainName} is not hosted by ${input.account}`, [
        { field: 'domain', message: `is not one of ${input.account}'s domains` },
      ]);
    }
    requireFtpHome(input);
    if (repos.mailboxes.findByAddress(input.address)) throw taken('address', `virtual account ${input.address}`);
    return repos.mailboxes.insert({
      kind: 'virtual',
      accountId: domain.accountId,
      address: input.address,
      username: null,
      domainId: domain.id,
      passwordHash,
      displayName: input.displayName,
      quotaBytes: input.quota,
      flags: input.flags,
      ftpEnabled: input.ftpEnabled,
      ftpHome: input.ftpHome ?? null,
    });
  });

  /** POP mailboxes are sold in packs of ten (seed 001): how many the plan allows and how many exist. */
  const popAllowance = (owner: Account) => ({ used: repos.mailboxes.countPop(owner.id), allowed: owner.popPacks * POP_PACK_SIZE, packs: owner.popPacks });

  const insertPopMailbox = db.transaction((input: z.output<typeof newPopMailboxSchema>, passwordHash: string) => {
    const owner = repos.accounts.findByUsername(input.account);
    if (!owner) throw notFound('account', input.account);
    if (repos.usernames.kindOf(input.username)) {
      throw new PostyardError('NAME_TAKEN', `username ${input.username} is already in use on this server`, [
        { field: 'username', message: 'is already in use on this server (accounts, POP mailboxes and lists share names)' },
      ]);
    }
    const { used, allowed } = popAllowance(owner);
    if (used >= allowed) {
      throw new PostyardError('PLAN_LIMIT', `${owner.username}'s plan allows ${allowed} POP mailboxes (${owner.popPacks} pack(s) of ${POP_PACK_SIZE})`);
    }
    const domain = input.domain ? requireOwnDomain(owner, input.domain) : null;
    repos.usernames.claim(input.username, 'pop');
    const id = repos.mailboxes.insert({
      kind: 'pop',
      accountId: owner.id,
      address: null,
      username: input.username,
      domainId: domain?.id ?? null,
      passwordHash,
      displayName: input.displayName,
      quotaBytes: input.quota,
      flags: 0,
      ftpEnabled: false,
      ftpHome: null,
    });
    if (domain) {
      // The default alias username@domain (seed 003): shown everywhere, changed only by removing the mailbox.
      const address = `${input.username}@${domain.name}`;
      if (repos.aliasRules.find(domain.id, input.username) || repos.mailboxes.findByAddress(address)) {
        throw new PostyardError('MAILBOX_EXISTS', `${address} is already used by an alias or a virtual account`, [
          { field: 'domain', message: `${address} is already used by an alias or a virtual account` },
        ]);
      }
      repos.aliasRules.insert(domain.id, { localPart: input.username, action: { kind: 'deliver', username: input.username } }, id);
    }
    return id;
  });

  /** A POP mailbox's domain must belong to its owner or one of the owner's children. */
  const requireOwnDomain = (owner: Account, name: string) => {
    const domain = repos.domains.findByName(name);
    const family = new Set([owner.id, ...repos.accounts.listChildren(owner.id).map((child) => child.id)]);
    if (!domain || !family.has(domain.accountId)) {
      throw new PostyardError('DOMAIN_NOT_HOSTED', `${name} is not hosted by ${owner.username}`, [
        { field: 'domain', message: `is not hosted by ${owner.username}` },
      ]);
    }
    return domain;
  };

  const deleteMailbox = db.transaction((mailbox: Mailbox) => {
    repos.mailboxes.remove(mailbox.id);
    // Releasing a POP name removes every rule that delivers to it (ON DELETE CASCADE on the namespace).
    if (mailbox.kind === 'pop') repos.usernames.release(mailbox.name);
  });

  /** Every row is checked before any is written: one bad row changes nothing. Returns the rows that changed. */
  const saveStorageLimits = db.transaction((account: Account, rows: z.output<typeof storageLimitsSchema>['rows']) => {
    const changed: Array<{ before: Mailbox; after: Mailbox }> = [];
    for (const row of rows) {
      const mailbox = findMailbox(row.mailbox);
      if (!mailbox || mailbox.accountId !== account.id) throw notFound('mailbox', row.mailbox);
      if (mailbox.quotaBytes === row.quota && mailbox.notifyAt90 === row.notifyAt90) continue;
      repos.mailboxes.updateSettings(mailbox.id, { ...mailbox, quotaBytes: row.quota, notifyAt90: row.notifyAt90 });
      changed.push({ before: mailbox, after: repos.mailboxes.findById(mailbox.id)! });
    }
    return changed;
  });

  async function applyQuota(mailbox: Mailbox, quota: number | null) {
    await store.writeQuotaFile(folderOf(mailbox), quota);
  }

  return {
    find: findMailbox,
    get: requireMailbox,
    folderOf,

    async createVirtualAccount(input: NewVirtualAccountInput): Promise<Mailbox> {
      const parsed = parseInput(newVirtualAccountSchema, input);
      const id = insertVirtualAccount(parsed, await hashPassword(parsed.password));
      const mailbox = repos.mailboxes.findById(id)!;
      await store.ensureMaildir(folderOf(mailbox));
      if (parsed.quota !== null) await applyQuota(mailbox, parsed.quota);
      audit.record('virtual-account.create', mailbox.name, mailbox.accountUsername, null, mailbox);
      return mailbox;
    },

    async createPopMailbox(input: NewPopMailboxInput): Promise<Mailbox> {
      const parsed = parseInput(newPopMailboxSchema, input);
      const id = insertPopMailbox(parsed, await hashPassword(parsed.password));
      const mailbox = repos.mailboxes.findById(id)!;
      await store.ensureMaildir(folderOf(mailbox));
      if (parsed.quota !== null) await applyQuota(mailbox, parsed.quota);
      audit.record('pop-mailbox.create', mailbox.name, mailbox.accountUsername, null, mailbox);
      return mailbox;
    },

    listVirtualAccounts: (accountId?: number) =>
      accountId === undefined ? repos.mailboxes.list('virtual') : repos.mailboxes.listByAccount(accountId, 'virtual'),
    listPopMailboxes: (accountId?: number) =>
      accountId === undefined ? repos.mailboxes.list('pop') : repos.mailboxes.listByAccount(accountId, 'pop'),

    popAllowance,

    /**
     * One page of an account's mailboxes (one kind, or both when kind is null), optionally those whose address,
     * username or display name contains `query`. Only that page is read, so it stays fast with 10,000 mailboxes.
     */
    listPage(accountId: number, { kind = null, query = '', page = 1, perPage = 50 }: { kind?: Mailbox['kind'] | null; query?: string; page?: number; perPage?: number }) {
      const listing = { accountId, kind, query: query.trim() };
      const total = repos.mailboxes.countListing(listing);
      const pages = Math.max(1, Math.ceil(total / perPage));
      const current = Math.min(pages, Math.max(1, Math.floor(page) || 1));
      return { items: repos.mailboxes.listPage(listing, perPage, (current - 1) * perPage), page: current, pages, total };
    },

    /** The alias addresses whose rules deliver to a POP mailbox (its default alias among them): they go with it. */
    aliasesDeliveringTo: (mailbox: Mailbox): string[] => (mailbox.kind === 'pop' ? repos.aliasRules.addressesTargeting(mailbox.name) : []),

    /** Storage management: the individual limits and notify settings of many mailboxes of one account, all or none. */
    async setStorageLimits(accountUsername: string, rows: StorageLimitsInput): Promise<Mailbox[]> {
      const account = repos.accounts.findByUsername(accountUsername.trim().toLowerCase());
      if (!account) throw notFound('account', accountUsername);
      const parsed = parseInput(storageLimitsSchema, { rows });
      const changed = saveStorageLimits(account, parsed.rows);
      for (const { before, after } of changed) {
        if (before.quotaBytes !== after.quotaBytes) await applyQuota(after, after.quotaBytes);
        audit.record(`${kindName(after)}.settings`, after.name, after.accountUsername, before, after);
      }
      return changed.map(({ after }) => after);
    },

    async updateSettings(name: string, input: MailboxSettingsInput): Promise<Mailbox> {
      const mailbox = requireMailbox(name);
      const changes = parseInput(mailboxSettingsSchema, input);
      const settings: MailboxSettings = {
        displayName: changes.displayName ?? mailbox.displayName,
        quotaBytes: changes.quota === undefined ? mailbox.quotaBytes : changes.quota,
        notifyAt90: changes.notifyAt90 ?? mailbox.notifyAt90,
        disabled: changes.disabled ?? mailbox.disabled,
        flags: changes.flags ?? mailbox.flags,
        hiddenFromAddressBook: changes.hiddenFromAddressBook ?? mailbox.hiddenFromAddressBook,
        ftpEnabled: changes.ftpEnabled ?? mailbox.ftpEnabled,
        ftpHome: changes.ftpHome === undefined ? mailbox.ftpHome : changes.ftpHome,
      };
      requireFtpHome(settings);
      repos.mailboxes.updateSettings(mailbox.id, settings);
      if (changes.quota !== undefined) await applyQuota(mailbox, changes.quota);
      const updated = repos.mailboxes.findById(mailbox.id)!;
      audit.record(`${kindName(mailbox)}.settings`, mailbox.name, mailbox.accountUsername, mailbox, updated);
      return updated;
    },

    async setPassword(name: string, password: string): Promise<void> {
      const mailbox = requireMailbox(name);
      const parsed = parseInput(z.object({ password: passwordSchema }), { password });
      repos.mailboxes.updatePassword(mailbox.id, await hashPassword(parsed.password));
      audit.record(`${kindName(mailbox)}.password`, mailbox.name, mailbox.accountUsername, null, null);
    },

    /** vmoduser -e: an already encrypted password, which must be a bcrypt hash (the only kind Postyard verifies). */
    setPasswordHash(name: string, hash: string): void {
      const mailbox = requireMailbox(name);
      const parsed = parseInput(z.object({ encryptedPassword: bcryptHashSchema }), { encryptedPassword: hash });
      repos.mailboxes.updatePassword(mailbox.id, parsed.encryptedPassword);
      audit.record(`${kindName(mailbox)}.password`, mailbox.name, mailbox.accountUsername, null, null);
    },

    /** Removes a mailbox, its rules (a POP mailbox's aliases go with it, seed 003) and its folder. */
    async remove(name: string): Promise<Mailbox> {
      const mailbox = requireMailbox(name);
      deleteMailbox(mailbox);
      audit.record(`${kindName(mailbox)}.remove`, mailbox.name, mailbox.accountUsername, mailbox, null);
      await store.removeFolder(folderOf(mailbox));
      return mailbox;
    },
  };
}

export type MailboxService = ReturnType<typeof createMailboxService>;
