import { PostyardError } from '../domain/errors.js';
import { parseInput } from '../domain/schemas.js';
import { formatBytes } from '../domain/size.js';
import type { Account } from '../db/repositories/accounts.js';
import type { AccessService } from './access.js';
import { accountPlanSchema, newAccountSchema, type AccountPlanInput, type AccountService, type NewAccountInput } from './accounts.js';
import type { Principal } from './auth.js';

/** What a principal may do to one account. */
export interface AccountRights {
  /** 'all' for the admin; 'quota' for a parent over its child (the disk quota only); null when the plan is not theirs. */
  plan: 'all' | 'quota' | null;
  disable: boolean;
  resetPassword: boolean;
  remove: boolean;
}

const forbidden = (message: string) => new PostyardError('FORBIDDEN', message);

/** Why a right is refused: about one's own account, or about another one the principal may only look at. */
const REFUSALS: Record<keyof AccountRights, { own: string; other: (username: string) => string }> = {
  plan: { own: 'Your provider sets your own plan.', other: (username) => `You cannot change the plan of ${username}.` },
  disable: { own: 'You cannot disable your own account.', other: (username) => `You cannot disable or enable ${username}.` },
  resetPassword: { own: 'Change your own password on the Password page.', other: (username) => `You cannot reset the password of ${username}.` },
  remove: { own: 'You cannot remove your own account.', other: (username) => `You cannot remove ${username}.` },
};

/** The plan fields a parent may not set on its child, as a refusal names them. */
const ADMIN_ONLY_FIELDS = { mailboxQuota: 'the default mailbox quota', maxChildren: 'the child account limit', popPacks: 'the POP mailbox packs' };

/**
 * Accounts as the panel's users manage them: the admin creates parent accounts and changes any plan; a parent creates
 * its child accounts and sets their disk quota, disables, resets and removes them; nobody changes their own plan. The
 * command line runs as the server's operator and calls the account service directly.
 */
export function createAccountManagementService(accounts: AccountService, access: AccessService) {
  const rightsOver = (principal: Principal, account: Account): AccountRights => {
    const isAdmin = principal.kind === 'admin';
    const isItsParent = principal.kind === 'account' && account.parentId === principal.id;
    const manages = isAdmin || isItsParent;
    return { plan: isAdmin ? 'all' : isItsParent ? 'quota' : null, disable: manages, resetPassword: manages, remove: manages };
  };

  /** A parent may not give a child more disk than its own plan has: that would sell what it did not buy. */
  const checkChildQuota = (parent: Account, diskQuota: number | null) => {
    if (parent.diskQuotaBytes === null) return;
    if (diskQuota === null || diskQuota > parent.diskQuotaBytes) {
      const message = `must be set, and at most ${formatBytes(parent.diskQuotaBytes)} (your own disk quota)`;
      throw new PostyardError('PLAN_LIMIT', `diskQuota: ${message}`, [{ field: 'diskQuota', message }]);
    }
  };

  /** Why the principal may not do `right` to the account, or null when it may. */
  const refusal = (principal: Principal, account: Account, right: keyof AccountRights): string | null => {
    if (rightsOver(principal, account)[right]) return null;
    return principal.kind === 'account' && account.id === principal.id ? REFUSALS[right].own : REFUSALS[right].other(account.username);
  };

  /** The account, when the principal holds `right` over it: FORBIDDEN when it may only look at it, NOT_FOUND when out of reach. */
  const managed = (principal: Principal, username: string, right: keyof AccountRights) => {
    const account = access.account(principal, username);
    const refused = refusal(principal, account, right);
    if (refused) throw forbidden(refused);
    return { account, rights: rightsOver(principal, account) };
  };

  const creates = (principal: Principal): 'parent' | 'child' | null => {
    if (principal.kind === 'admin') return 'parent';
    return principal.kind === 'account' && !principal.isChild ? 'child' : null;
  };

  return {
    rightsOver,
    refusal,

    /** What the principal creates from the accounts page: parent accounts (admin), child accounts (parent), or nothing. */
    creates,

    /** The admin creates a parent account with a plan; a parent creates a child of its own, with a disk quota within its own. */
    async create(principal: Principal, input: Omit<NewAccountInput, 'parent'>): Promise<Account> {
      const kind = creates(principal);
      if (kind === null) throw forbidden('Your login cannot create accounts.');
      if (kind === 'parent') return accounts.create({ ...input, parent: undefined });
      const parent = access.account(principal, principal.name);
      const parsed = parseInput(newAccountSchema.omit({ parent: true, maxChildren: true, popPacks: true }), input);
      checkChildQuota(parent, parsed.diskQuota);
      // Children cannot have children; their POP packs are the plan's, which only the admin changes.
      return accounts.create({ ...parsed, parent: parent.username, maxChildren: 0 });
    },

    /** The admin changes any plan field; a parent only its child's disk quota. */
    async setPlan(principal: Principal, username: string, input: Omit<AccountPlanInput, 'disabled'>): Promise<Account> {
      const { account, rights } = managed(principal, username, 'plan');
      const plan = parseInput(accountPlanSchema.omit({ disabled: true }), input);
      if (rights.plan === 'quota') {
        const others = (Object.keys(ADMIN_ONLY_FIELDS) as (keyof typeof ADMIN_ONLY_FIELDS)[]).filter((field) => plan[field] !== undefined);
        if (others.length > 0) throw forbidden(`Only your provider changes ${others.map((field) => ADMIN_ONLY_FIELDS[field]).join(', ')} of ${account.username}.`);
        checkChildQuota(access.account(principal, principal.name), plan.diskQuota === undefined ? account.diskQuotaBytes : plan.diskQuota);
      }
      return accounts.setPlan(account.username, plan);
    },

    async setDisabled(principal: Principal, username: string, disabled: boolean): Promise<Account> {
      const { account } = managed(principal, username, 'disable');
      return accounts.setPlan(account.username, { disabled });
    },

    async resetPassword(principal: Principal, username: string, password: string): Promise<void> {
      const { account } = managed(principal, username, 'resetPassword');
      await accounts.setPassword(account.username, password);
    },

    /** What removing the account would take with it; only for someone who may remove it. */
    removalOf(principal: Principal, username: string) {
      const { account } = managed(principal, username, 'remove');
      return { account, ...accounts.removalOf(account.username) };
    },

    async remove(principal: Principal, username: string): Promise<Account[]> {
      const { account } = managed(principal, username, 'remove');
      return accounts.remove(account.username);
    },
  };
}

export type AccountManagementService = ReturnType<typeof createAccountManagementService>;
