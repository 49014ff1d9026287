import { z } from 'zod';
import { accountMaildir, accountHome } from '../domain/layout.js';
import { PostyardError, notFound } from '../domain/errors.js';
import { countSchema, optionalSizeSchema, parseInput, passwordSchema, usernameSchema } from '../domain/schemas.js';
import type { Account } from '../db/repositories/accounts.js';
import { hashPassword } from './passwords.js';
import type { ServiceContext } from './context.js';

export const newAccountSchema = z.object({
  username: usernameSchema,
  parent: usernameSchema.optional(),
  password: passwordSchema,
  diskQuota: optionalSizeSchema.default(null),
  mailboxQuota: optionalSizeSchema.default(null),
  maxChildren: countSchema.default(10),
  popPacks: countSchema.default(1),
});
export type NewAccountInput = z.input<typeof newAccountSchema>;

export const accountPlanSchema = z.object({
  diskQuota: optionalSizeSchema.optional(),
  mailboxQuota: optionalSizeSchema.optional(),
  maxChildren: countSchema.optional(),
  popPacks: countSchema.optional(),
  disabled: z.boolean().optional(),
});
export type AccountPlanInput = z.input<typeof accountPlanSchema>;

/** POP mailboxes are sold in packs of ten (seed 001). */
export const POP_PACK_SIZE = 10;

export function createAccountService({ db, repos, store, audit }: ServiceContext) {
  const requireAccount = (username: string): Account => {
    const account = repos.accounts.findByUsername(username.toLowerCase());
    if (!account) throw notFound('account', username);
    return account;
  };

  const insertAccount = db.transaction((input: z.output<typeof newAccountSchema>, passwordHash: string) => {
    if (repos.usernames.kindOf(input.username)) {
      throw new PostyardError('NAME_TAKEN', `username ${input.username} is already in use on this server`, [
        { field: 'username', message: 'is already in use on this server' },
      ]);
    }
    let parentId: number | null = null;
    if (input.parent) {
      const parent = requireAccount(input.parent);
      if (parent.parentId !== null) {
        throw new PostyardError('INVALID_INPUT', `${parent.username} is a child account and cannot have children`, [
          { field: 'parent', message: 'is a child account; accounts are two levels deep' },
        ]);
      }
      if (repos.accounts.countChildren(parent.id) >= parent.maxChildren) {
        throw new PostyardError('PLAN_LIMIT', `${parent.username}'s plan allows ${parent.maxChildren} child accounts`);
      }
      parentId = parent.id;
    }
    repos.usernames.claim(input.username, 'account');
    return repos.accounts.insert({
      username: input.username,
      parentId,
      passwordHash,
      diskQuotaBytes: input.diskQuota,
      mailboxQuotaBytes: input.mailboxQuota,
      maxChildren: input.maxChildren,
      popPacks: input.popPacks,
    });
  });

  const deleteAccount = db.transaction((account: Account) => {
    const family = [account, ...repos.accounts.listChildren(account.id)];
    const popNames = family.flatMap((member) => repos.mailboxes.listByAccount(member.id, 'pop').map((pop) => pop.name));
    repos.accounts.remove(account.id); // children, domains, mailboxes and rules follow by ON DELETE CASCADE
    for (const name of [...family.map((member) => member.username), ...popNames]) repos.usernames.release(name);
    return family;
  });

  return {
    async create(input: NewAccountInput): Promise<Account> {
      const parsed = parseInput(newAccountSchema, input);
      const id = insertAccount(parsed, await hashPassword(parsed.password));
      await store.ensureMaildir(accountMaildir(parsed.username));
      const account = repos.accounts.findById(id)!;
      audit.record('account.create', account.username, account.parentUsername ?? account.username, null, account);
      return account;
    },

    get: requireAccount,
    list: () => repos.accounts.list(),
    listChildren: (username: string) => repos.accounts.listChildren(requireAccount(username).id),

    /** Storage management (seed 001): the owner sets the default limit of all its mailboxes; only the admin sets the disk quota. */
    setDefaultMailboxQuota(username: string, quota: string | number | null): Account {
      const account = requireAccount(username);
      const { mailboxQuota } = parseInput(z.object({ mailboxQuota: optionalSizeSchema }), { mailboxQuota: quota });
      repos.accounts.updatePlan(account.id, { ...account, mailboxQuotaBytes: mailboxQuota });
      const updated = repos.accounts.findById(account.id)!;
      audit.record('account.mailbox-quota', account.username, account.username, account, updated);
      return updated;
    },

    async setPlan(username: string, input: AccountPlanInput): Promise<Account> {
      const account = requireAccount(username);
      const plan = parseInput(accountPlanSchema, input);
      repos.accounts.updatePlan(account.id, {
        diskQuotaBytes: plan.diskQuota === undefined ? account.diskQuotaBytes : plan.diskQuota,
        mailboxQuotaBytes: plan.mailboxQuota === undefined ? account.mailboxQuotaBytes : plan.mailboxQuota,
        maxChildren: plan.maxChildren ?? account.maxChildren,
        popPacks: plan.popPacks ?? account.popPacks,
        disabled: plan.disabled ?? account.disabled,
      });
      const updated = repos.accounts.findById(account.id)!;
      audit.record('account.plan', account.username, account.username, account, updated);
      return updated;
    },

    async setPassword(username: string, password: string): Promise<void> {
      const account = requireAccount(username);
      const parsed = parseInput(z.object({ password: passwordSchema }), { password });
      repos.accounts.updatePassword(account.id, await hashPassword(parsed.password));
      audit.record('account.password', account.username, account.username, null, null);
    },

    /** What removing an account takes with it, for a confirmation to list: its children, and the family's domains and mailboxes. */
    removalOf(username: string) {
      const account = requireAccount(username);
      const children = repos.accounts.listChildren(account.id);
      const family = [account, ...children];
      return {
        children: children.map((child) => child.username),
        domains: family.flatMap((member) => repos.domains.listByAccount(member.id).map((domain) => domain.name)),
        virtualAccounts: family.flatMap((member) => repos.mailboxes.listByAccount(member.id, 'virtual').map((mailbox) => mailbox.name)),
        popMailboxes: family.flatMap((member) => repos.mailboxes.listByAccount(member.id, 'pop').map((mailbox) => mailbox.name)),
      };
    },

    /** Removes an account with its children, domains, mailboxes, rules and files. Returns the accounts removed. */
    async remove(username: string): Promise<Account[]> {
      const account = requireAccount(username);
      const removed = deleteAccount(account);
      audit.record('account.remove', account.username, account.parentUsername ?? account.username, account, null);
      for (const member of removed) await store.removeFolder(accountHome(member.username));
      return removed;
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
