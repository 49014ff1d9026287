import { parseAliasAction, type AliasAction } from '../domain/alias-action.js';
import { PostyardError, invalid, notFound, type FieldIssue } from '../domain/errors.js';
import { aliasLocalPartProblem, formatRuleLine, parseMapFile, type AliasRuleDraft } from '../domain/map-file.js';
import type { AliasRule } from '../db/repositories/alias-rules.js';
import type { Domain } from '../db/repositories/domains.js';
import type { ServiceContext } from './context.js';

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
   * rule can never route mail into another customer's mailbox.
   */
  const deliveryTargetProblem = (domain: Domain, action: AliasAction): string | null => {
    if (action.kind !== 'deliver') return null;
    const family = new Set([domain.accountId, ...repos.accounts.listChildren(domain.accountId).map((child) => child.id)]);
    const account = repos.accounts.findByUsername(action.username);
    if (account) return family.has(account.id) ? null : notYours(action.username, domain);
    const pop = repos.mailboxes.findPopByUsername(action.username);
    if (pop) return family.has(pop.accountId) ? null : notYours(action.username, domain);
    return `no account or POP mailbox is named ${action.username}`;
  };

  const checkedDraft = (domain: Domain, localPart: string, actionText: string): AliasRuleDraft => {
    const parsed = parseAliasAction(actionText);
    if ('problem' in parsed) throw invalid('action', parsed.problem);
    const problem = deliveryTargetProblem(domain, parsed.action);
    if (problem) throw invalid('action', problem);
    return { localPart, action: parsed.action };
  };

  const refuseLocked = (rule: AliasRule) => {
    throw new PostyardError('LOCKED_ALIAS', `${rule.localPart} is the default alias of POP mailbox ${rule.lockedBy}; remove the mailbox to remove it`);
  };

  const saveRule = db.transaction((domain: Domain, draft: AliasRuleDraft) => {
    const existing = repos.aliasRules.find(domain.id, draft.localPart);
    if (existing?.lockedBy) refuseLocked(existing);
    if (existing) repos.aliasRules.updateAction(existing.id, draft.action);
    else repos.aliasRules.insert(domain.id, draft);
  });

  const replaceRules = db.transaction((domain: Domain, drafts: AliasRuleDraft[]) => {
    repos.aliasRules.removeUnlocked(domain.id);
    for (const draft of drafts) repos.aliasRules.insert(domain.id, draft);
  });

  return {
    parseRuleAddress,

    set(spec: string, actionText: string): AliasRule {
      const { domain, localPart } = parseRuleAddress(spec);
      const before = repos.aliasRules.find(domain.id, localPart);
      saveRule(domain, checkedDraft(domain, localPart, actionText));
      const rule = repos.aliasRules.find(domain.id, localPart)!;
      audit.record('alias.set', `${localPart}@${domain.name}`, domain.accountUsername, before && formatRuleLine(before), formatRuleLine(rule));
      return rule;
    },

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
      if ('rules' in parsed) {
        parsed.rules.forEach(({ line, ...draft }) => {
          const lockedRule = locked.get(draft.localPart);
          if (lockedRule) {
            if (formatRuleLine(lockedRule) !== formatRuleLine(draft)) {
              issues.push({ field: 'mapfile', line, message: `${draft.localPart} is the default alias of POP mailbox ${lockedRule.lockedBy} and cannot be changed` });
            }
            return;
          }
          const problem = deliveryTargetProblem(domain, draft.action);
          if (problem) issues.push({ field: 'mapfile', line, message: problem });
          else drafts.push(draft);
        });
      }
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

function notYours(username: string, domain: Domain): string {
  return `${username} is not ${domain.accountUsername}, one of its child accounts, or one of their POP mailboxes`;
}

export type AliasService = ReturnType<typeof createAliasService>;
