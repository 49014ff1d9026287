import { z } from 'zod';
import { usernameProblem } from '../../domain/address.js';
import type { AliasAction } from '../../domain/alias-action.js';
import type { AliasRule } from '../../db/repositories/alias-rules.js';

/**
 * The Email Alias Manager's forms. They only assemble the action text that `alias set` and the map file read
 * ("bob", "a@x.test,b@y.test", "fail: message", "discard"); services.aliases checks it and refuses what is wrong.
 */
export type RuleKind = AliasAction['kind'];

export const ACTION_LABELS: Record<RuleKind, string> = { deliver: 'Deliver to account', forward: 'Forward To', fail: 'Fail', discard: 'Discard' };

/** Where a refusal of the action shows, for each kind: beside the input that kind reads. */
export const KIND_FIELD: Record<RuleKind, string> = { deliver: 'target', forward: 'forward', fail: 'message', discard: 'kind' };

export interface RuleValues {
  localPart: string;
  kind: string;
  target: string;
  forward: string;
  message: string;
}

const splitAddresses = (text: string) => text.split(/[\s,;]+/).filter((entry) => entry !== '');

export const ruleForm = z
  .object({
    localPart: z.string().trim().min(1, 'enter a local part, or * for every other address'),
    kind: z.enum(['deliver', 'forward', 'fail', 'discard'], { message: 'choose what happens to the mail' }),
    target: z.string().trim(),
    forward: z.string(),
    message: z.string().trim(),
  })
  .superRefine((form, ctx) => {
    if (form.kind === 'deliver') {
      // A username with "@" or an action word would be read as another action; only a plain username delivers.
      const problem = form.target === '' ? 'choose the account or POP mailbox to deliver to' : usernameProblem(form.target.toLowerCase());
      if (problem) ctx.addIssue({ code: 'custom', path: ['target'], message: problem });
    }
    if (form.kind === 'forward') {
      const entries = splitAddresses(form.forward);
      const notAddress = entries.find((entry) => !entry.includes('@'));
      if (entries.length === 0) ctx.addIssue({ code: 'custom', path: ['forward'], message: 'enter at least one address' });
      else if (notAddress) ctx.addIssue({ code: 'custom', path: ['forward'], message: `"${notAddress.slice(0, 80)}" is not an address like name@example.com` });
    }
  })
  .transform((form) => ({ localPart: form.localPart, kind: form.kind, actionText: actionText(form) }));

function actionText(form: { kind: RuleKind; target: string; forward: string; message: string }): string {
  switch (form.kind) {
    case 'deliver':
      return form.target;
    case 'forward':
      return splitAddresses(form.forward).join(',');
    case 'fail':
      return form.message ? `fail: ${form.message}` : 'fail';
    case 'discard':
      return 'discard';
  }
}

/** "Close this domain": the * rule, failing with an optional message or discarding (seed 000). */
export const closeForm = z
  .object({ how: z.enum(['fail', 'discard'], { message: 'choose fail or discard' }), message: z.string().trim() })
  .transform(({ how, message }) => actionText({ kind: how, target: '', forward: '', message }));

/** The values a form shows: as posted (the local part of an edited rule is its own, never the posted one). */
export function postedRuleValues(body: unknown, editing: string | null): RuleValues {
  const posted = (body ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof posted[name] === 'string' ? (posted[name] as string) : '');
  return { localPart: editing ?? text('localPart'), kind: text('kind'), target: text('target'), forward: text('forward'), message: text('message') };
}

export function ruleValuesOf(rule: AliasRule | null): RuleValues {
  const values: RuleValues = { localPart: rule?.localPart ?? '', kind: rule?.action.kind ?? 'deliver', target: '', forward: '', message: '' };
  const action = rule?.action;
  if (action?.kind === 'deliver') values.target = action.username;
  if (action?.kind === 'forward') values.forward = action.addresses.join('\n');
  if (action?.kind === 'fail') values.message = action.message ?? '';
  return values;
}
