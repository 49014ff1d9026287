import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formatAliasAction, type AliasAction } from '../../domain/alias-action.js';
import { WILDCARD } from '../../domain/map-file.js';
import { notFound } from '../../domain/errors.js';
import type { AliasRule } from '../../db/repositories/alias-rules.js';
import type { Services } from '../../services/index.js';
import { requireLogin } from '../sessions.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { accountBase, accountOf, attempt } from './account-area.js';
import { ACTION_LABELS, KIND_FIELD, closeForm, postedRuleValues, ruleForm, ruleValuesOf, type RuleValues } from './alias-forms.js';
import type { RouteOptions } from './index.js';

/**
 * The domain a page under /accounts/:username/domains/:domain/ is about: the account and the domain are both looked up
 * through the logged-in principal, and the domain must be hosted by that account; anything else is "not found".
 */
export function domainScope(services: Services, request: FastifyRequest) {
  const account = accountOf(services, request);
  const domain = services.access.domainOf(request.principal!, account, (request.params as { domain: string }).domain);
  const base = `${accountBase(account.username)}/domains/${encodeURIComponent(domain.name)}`;
  // Only what the pages show goes to the templates: never the account row with its password hash.
  return { domain, base, domainsHref: `${accountBase(account.username)}/domains` };
}

type Scope = ReturnType<typeof domainScope>;

const ruleHref = (scope: Scope, localPart: string) => `${scope.base}/aliases/${encodeURIComponent(localPart)}`;

/** The "Target or message" column: whom a rule delivers or forwards to, or the message it fails with. */
function targetOf(action: AliasAction): string {
  if (action.kind === 'fail') return action.message ?? '';
  return action.kind === 'discard' ? '' : formatAliasAction(action);
}

function ruleRow(scope: Scope, rule: AliasRule) {
  return {
    localPart: rule.localPart,
    action: ACTION_LABELS[rule.action.kind],
    target: targetOf(rule.action),
    lockedBy: rule.lockedBy,
    editHref: `${ruleHref(scope, rule.localPart)}/edit`,
    deleteHref: `${ruleHref(scope, rule.localPart)}/delete`,
    testHref: rule.localPart === WILDCARD ? null : `${scope.base}/route?address=${encodeURIComponent(`${rule.localPart}@${scope.domain.name}`)}`,
  };
}

/** The Email Alias Manager: a domain's rules as a table, add, edit, delete (confirmed), and "close this domain". */
export const aliasRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const path = '/accounts/:username/domains/:domain/aliases';

  const findRule = (scope: Scope, localPart: string): AliasRule => {
    const rule = services.aliases.list(scope.domain.name).find((candidate) => candidate.localPart === localPart.toLowerCase());
    if (!rule) throw notFound('alias', `${localPart}@${scope.domain.name}`);
    return rule;
  };

  const renderList = (request: FastifyRequest, reply: FastifyReply, scope: Scope, close = { values: { how: 'fail', message: '' }, errors: {} as Record<string, string> }, status = 200) => {
    const rules = services.aliases.list(scope.domain.name);
    const wildcard = rules.find((rule) => rule.localPart === WILDCARD);
    return renderPage(request, reply, 'aliases/list.eta', {
      title: `Aliases of ${scope.domain.name}`,
      scope,
      tab: 'aliases',
      rules: rules.map((rule) => ruleRow(scope, rule)),
      closedBy: wildcard ? ruleRow(scope, wildcard) : null,
      close,
    }, status);
  };

  const renderForm = (request: FastifyRequest, reply: FastifyReply, scope: Scope, form: { editing: string | null; values: RuleValues; errors: Record<string, string> }, status = 200) =>
    renderPage(request, reply, 'aliases/form.eta', {
      title: form.editing === null ? `Add a rule to ${scope.domain.name}` : `Edit the rule for ${form.editing}@${scope.domain.name}`,
      scope,
      ...form,
      action: form.editing === null ? `${scope.base}/aliases` : `${ruleHref(scope, form.editing)}/edit`,
      targets: services.aliases.deliveryTargets(scope.domain.name),
    }, status);

  /** The locked default alias of a POP mailbox: shown, never offered for editing or deleting (seed 003). */
  const renderLocked = (request: FastifyRequest, reply: FastifyReply, scope: Scope, rule: AliasRule) =>
    renderPage(request, reply, 'aliases/locked.eta', { title: `${rule.localPart}@${scope.domain.name} is locked`, scope, rule }, 409);

  /** Saves the posted rule through the service, or re-renders the form with each refusal beside its field. */
  const saveRule = async (request: FastifyRequest, reply: FastifyReply, scope: Scope, editing: string | null) => {
    const values = postedRuleValues(request.body, editing);
    const parsed = parseForm(ruleForm, values);
    if ('errors' in parsed) return renderForm(request, reply, scope, { editing, values, errors: parsed.errors }, 400);
    const spec = `${parsed.data.localPart}@${scope.domain.name}`;
    const result = await attempt(() => (editing === null ? services.aliases.add(spec, parsed.data.actionText) : services.aliases.set(spec, parsed.data.actionText)));
    if ('refusal' in result) {
      const { address, action, ...rest } = result.refusal.errors;
      const errors = { ...rest, ...(address && { localPart: address }), ...(action && { [KIND_FIELD[parsed.data.kind]]: action }) };
      return renderForm(request, reply, scope, { editing, values, errors }, result.refusal.status);
    }
    const rule = result.value;
    return redirectWithFlash(reply, `${scope.base}/aliases`, `Saved the rule ${rule.localPart}@${scope.domain.name}.`, secureCookies);
  };

  app.get(path, guard, async (request, reply) => renderList(request, reply, domainScope(services, request)));

  app.get(`${path}/new`, guard, async (request, reply) =>
    renderForm(request, reply, domainScope(services, request), { editing: null, values: ruleValuesOf(null), errors: {} }),
  );

  app.post(path, guard, async (request, reply) => saveRule(request, reply, domainScope(services, request), null));

  app.get(`${path}/:localPart/edit`, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const rule = findRule(scope, (request.params as { localPart: string }).localPart);
    if (rule.lockedBy) return renderLocked(request, reply, scope, rule);
    return renderForm(request, reply, scope, { editing: rule.localPart, values: ruleValuesOf(rule), errors: {} });
  });

  app.post(`${path}/:localPart/edit`, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const rule = findRule(scope, (request.params as { localPart: string }).localPart);
    return saveRule(request, reply, scope, rule.localPart);
  });

  app.get(`${path}/:localPart/delete`, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const rule = findRule(scope, (request.params as { localPart: string }).localPart);
    if (rule.lockedBy) return renderLocked(request, reply, scope, rule);
    const row = ruleRow(scope, rule);
    const otherwise = rule.localPart === WILDCARD
      ? `Mail for addresses without a rule of their own will go to the mailbox of ${scope.domain.accountUsername} again.`
      : `Mail for ${rule.localPart}@${scope.domain.name} will then follow the * rule, or go to the mailbox of ${scope.domain.accountUsername}.`;
    return renderPage(request, reply, 'aliases/delete.eta', {
      title: `Delete the rule for ${rule.localPart}@${scope.domain.name}`,
      confirm: {
        heading: `Delete the rule for ${rule.localPart}@${scope.domain.name}?`,
        message: `The rule "${row.action}${row.target ? ` ${row.target}` : ''}" goes. ${otherwise}`,
        consequences: [],
        action: row.deleteHref,
        submitLabel: 'Delete the rule',
        cancelHref: `${scope.base}/aliases`,
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post(`${path}/:localPart/delete`, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const rule = findRule(scope, (request.params as { localPart: string }).localPart);
    const result = await attempt(() => services.aliases.remove(`${rule.localPart}@${scope.domain.name}`));
    if ('refusal' in result) return renderLocked(request, reply, scope, rule);
    return redirectWithFlash(reply, `${scope.base}/aliases`, `Deleted the rule ${rule.localPart}@${scope.domain.name}.`, secureCookies);
  });

  app.post(`${path}/close`, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { how: String(body.how ?? ''), message: String(body.message ?? '') };
    const parsed = parseForm(closeForm, values);
    if ('errors' in parsed) return renderList(request, reply, scope, { values, errors: parsed.errors }, 400);
    const result = await attempt(() => services.aliases.set(`${WILDCARD}@${scope.domain.name}`, parsed.data));
    if ('refusal' in result) {
      const { action, ...rest } = result.refusal.errors;
      return renderList(request, reply, scope, { values, errors: { ...rest, ...(action && { message: action }) } }, result.refusal.status);
    }
    return redirectWithFlash(reply, `${scope.base}/aliases`, `${scope.domain.name} is closed: only its virtual accounts and named rules receive mail.`, secureCookies);
  });
};
