import { parseAliasAction, type AliasAction } from '../domain/alias-action.js';
import { PostyardError, invalid, notFound, type FieldIssue } from '../domain/errors.js';
import { aliasLocalPartProblem, formatRuleLine, parseMapFile, type AliasRuleDraft, type MapFileRule } from '../domain/map-file.js';
import type { AliasRule } from '../db/repositories/alias-rules.js';
import type { Domain } from '../db/repositories/domains.js';
import type { ServiceContext } from './context.js';

/** The usernames a rule of one domain may deliver to. */
export interface DeliveryTargets {
  accounts: string[];
  popMailboxes: string[];
}

/** One domain's alias rules, edited rule by rule (Email Alias Manager, `alias set`) or as a whole map file. */
export function createAliasService({ db, repos, audit }: ServiceContext) {
  const requireDomain = (name: string): Domain => {
    const domain = repos.domains.findByName(name.trim().toLowerCase());
    if (!domain) {
      throw new PostyardError('DOMAIN_NOT_HOSTED', `${name} is not hosted here`, [{ field: 'domain', message: 'is not hosted here' }]);
    }
    return domain;
  };

  /** "local@domain" or "*@domain" -> the domain and the local part. */
  const parseRuleAddress = (spec: string): { domain: Domain; localPart: string } => {
    const text = spec.trim().toLowerCase();
    const at = text.lastIndexOf('@');
    if (at <= 0) throw invalid('address', 'must be local@domain or *@domain');
    const localPart = text.slice(0, at);
    const problem = aliasLocalPartProblem(localPart);
    if (problem) throw invalid('address', problem);
    return { domain: requireDomain(text.slice(at + 1)), localPart };
  };

  /**
   * A rule may deliver only to the domain's owner, one of the owner's children, or a POP mailbox of either, so that a
   * rule can never route mail into another customer's mailbox. The panel offers exactly these usernames.
   */
  const deliveryTargetsOf = (domain: Domain): DeliveryTargets => {
    const owner = repos.accounts.findById(domain.accountId);
    const family = [...(owner ? [owner] : []), ...repos.accounts.listChildren(domain.accountId)];
    return {
      accounts: family.map((account) => account.username),
      popMailboxes: family.flatMap((account) => repos.mailboxes.listByAccount(account.id, 'pop').map((mailbox) => mailbox.name)),
    };
  };

  /** `targets` is a thunk, so that a map file lists them once, and only when one of its lines delivers. */
  const deliveryTargetProblem = (domain: Domain, action: AliasAction, targets: () => DeliveryTargets): string | null => {
    if (action.kind !== 'deliver') return null;
    const { accounts, popMailboxes } = targets();
    if (accounts.includes(action.username) || popMailboxes.includes(action.username)) return null;
    const exists = repos.accounts.findByUsername(action.username) ?? repos.mailboxes.findPopByUsername(action.username);
    return exists ? notYours(action.username, domain) : `no account or POP mailbox is named ${action.username}`;
  };

  const checkedDraft = (domain: Domain, localPart: string, actionText: string): AliasRuleDraft => {
    const parsed = parseAliasAction(actionText);
    if ('problem' in parsed) throw invalid('action', parsed.problem);
    const problem = deliveryTargetProblem(domain, parsed.action, () => deliveryTargetsOf(domain));
    if (problem) throw invalid('action', problem);
    return { localPart, action: parsed.action };
  };

  const refuseLocked = (rule: AliasRule) => {
    throw new PostyardError('LOCKED_ALIAS', `${rule.localPart} is the default alias of POP mailbox ${rule.lockedBy}; remove the mailbox to remove it`);
  };

  const saveRule = db.transaction((domain: Domain, draft: AliasRuleDraft, mustBeNew: boolean) => {
    const existing = repos.aliasRules.find(domain.id, draft.localPart);
    if (existing && mustBeNew) {
      throw new PostyardError('NAME_TAKEN', `${draft.localPart}@${domain.name} already has a rule`, [
        { field: 'address', message: 'already has a rule; edit that rule instead' },
      ]);
    }
    if (existing?.lockedBy) refuseLocked(existing);
    if (existing) repos.aliasRules.updateAction(existing.id, draft.action);
    else repos.aliasRules.insert(domain.id, draft);
  });

  const replaceRules = db.transaction((domain: Domain, drafts: AliasRuleDraft[]) => {
    repos.aliasRules.removeUnlocked(domain.id);
    for (const draft of drafts) repos.aliasRules.insert(domain.id, draft);
  });

  const writeRule = (spec: string, actionText: string, mustBeNew: boolean): AliasRule => {
    const { domain, localPart } = parseRuleAddress(spec);
    const before = repos.aliasRules.find(domain.id, localPart);
    saveRule(domain, checkedDraft(domain, localPart, actionText), mustBeNew);
    const rule = repos.aliasRules.find(domain.id, localPart)!;
    audit.record('alias.set', `${localPart}@${domain.name}`, domain.accountUsername, before && formatRuleLine(before), formatRuleLine(rule));
    return rule;
  };

  return {
    parseRuleAddress,

    /** Adds or replaces the rule for one local part. */
    set: (spec: string, actionText: string): AliasRule => writeRule(spec, actionText, false),

    /** Adds a rule, refusing a local part that already has one (the panel's "Add a rule"). */
    add: (spec: string, actionText: string): AliasRule => writeRule(spec, actionText, true),

    deliveryTargets: (domainName: string): DeliveryTargets => deliveryTargetsOf(requireDomain(domainName)),

    remove(spec: string): AliasRule {
      const { domain, localPart } = parseRuleAddress(spec);
      const rule = repos.aliasRules.find(domain.id, localPart);
      if (!rule) throw notFound('alias', `${localPart}@${domain.name}`);
      if (rule.lockedBy) refuseLocked(rule);
      repos.aliasRules.remove(rule.id);
      audit.record('alias.remove', `${localPart}@${domain.name}`, domain.accountUsername, formatRuleLine(rule), null);
      return rule;
    },

    list: (domainName: string): AliasRule[] => repos.aliasRules.listByDomain(requireDomain(domainName).id),

    /** The rules as a map file; a POP mailbox's default alias is marked as locked by a comment above it. */
    getMapFile(domainName: string): string {
      const rules = repos.aliasRules.listByDomain(requireDomain(domainName).id);
      return rules
        .map((rule) => (rule.lockedBy ? `# locked: default alias of POP mailbox ${rule.lockedBy}\n` : '') + formatRuleLine(rule))
        .join('\n') + (rules.length ? '\n' : '');
    },

    /**
     * Replaces the domain's rules with a whole map file, atomically: every bad line is reported by number and nothing
     * changes until the whole file is valid. Locked default aliases stay, and may appear in the file unchanged.
     */
    setMapFile(domainName: string, text: string): AliasRule[] {
      const domain = requireDomain(domainName);
      const parsed = parseMapFile(text);
      const issues: FieldIssue[] = 'issues' in parsed ? [...parsed.issues] : [];
      const locked = new Map(repos.aliasRules.listByDomain(domain.id).filter((rule) => rule.lockedBy).map((rule) => [rule.localPart, rule]));
      const drafts: AliasRuleDraft[] = [];
      let found: DeliveryTargets | undefined;
      const targets = () => (found ??= deliveryTargetsOf(domain));
      rulesOfGoodLines(text, parsed).forEach(({ line, ...draft }) => {
        const lockedRule = locked.get(draft.localPart);
        if (lockedRule) {
          if (formatRuleLine(lockedRule) !== formatRuleLine(draft)) {
            issues.push({ field: 'mapfile', line, message: `${draft.localPart} is the default alias of POP mailbox ${lockedRule.lockedBy} and cannot be changed` });
          }
          return;
        }
        const problem = deliveryTargetProblem(domain, draft.action, targets);
        if (problem) issues.push({ field: 'mapfile', line, message: problem });
        else drafts.push(draft);
      });
      if (issues.length > 0) {
        issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
        const summary = issues.map((issue) => (issue.line === undefined ? issue.message : `line ${issue.line}: ${issue.message}`)).join('\n');
        throw new PostyardError('MAP_FILE_INVALID', `the map file was not saved:\n${summary}`, issues);
      }
      const before = repos.aliasRules.listByDomain(domain.id).map(formatRuleLine);
      replaceRules(domain, drafts);
      const after = repos.aliasRules.listByDomain(domain.id);
      audit.record('mapfile.set', domain.name, domain.accountUsername, before, after.map(formatRuleLine));
      return after;
    },
  };
}

/**
 * The rules of the lines that parse, even when other lines do not: they are checked against the domain too, so that one
 * round lists every bad line. A bad line is blanked rather than dropped, so the others keep their numbers.
 */
function rulesOfGoodLines(text: string, parsed: ReturnType<typeof parseMapFile>): MapFileRule[] {
  if ('rules' in parsed) return parsed.rules;
  const bad = new Set(parsed.issues.map((issue) => issue.line));
  const again = parseMapFile(text.split(/\r?\n/).map((line, index) => (bad.has(index + 1) ? '' : line)).join('\n'));
  return 'rules' in again ? again.rules : [];
}

function notYours(username: string, domain: Domain): string {
  return `${username} is not ${domain.accountUsername}, one of its child accounts, or one of their POP mailboxes`;
}

export type AliasService = ReturnType<typeof createAliasService>;
