import { z } from 'zod';
import { DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, calendarDateProblem, isAutoreplyActive, localDateOf } from '../domain/autoreply-schedule.js';
import { parseInput } from '../domain/schemas.js';
import type { Autoreply, AutoreplySettings } from '../db/repositories/autoreplies.js';
import type { Mailbox } from '../db/repositories/mailboxes.js';
import { createAutoreplyResponder, type FailureLog } from './autoreply-responder.js';
import type { ServiceContext } from './context.js';
import type { DeliveryService } from './delivery.js';
import type { MailboxService } from './mailboxes.js';

export const MAX_AUTOREPLY_TEXT = 10_000;
const MAX_SUBJECT = 200;

/** "" or missing means no date; anything else must be a real YYYY-MM-DD day. */
const optionalDateSchema = z
  .string()
  .trim()
  .nullish()
  .transform((value, ctx) => {
    if (!value) return null;
    const problem = calendarDateProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return value;
  });

/** Field names are the command line's option names and the form's input names: a refusal names what the user typed. */
export const autoreplySchema = z
  .object({
    enabled: z.boolean().default(true),
    subject: z
      .string()
      .trim()
      .max(MAX_SUBJECT, `must be at most ${MAX_SUBJECT} characters`)
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must be one line without control characters')
      .nullish()
      .transform((value) => value || null),
    text: z
      .string()
      .max(MAX_AUTOREPLY_TEXT, `must be at most ${MAX_AUTOREPLY_TEXT} characters`)
      .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters')
      .default('')
      .transform((value) => value.replace(/\r\n?/g, '\n').trim()),
    from: optionalDateSchema,
    until: optionalDateSchema,
    days: z.preprocess(
      (value) => (value === '' || value === null ? undefined : value),
      z.coerce
        .number({ message: 'must be a whole number of days' })
        .int('must be a whole number of days')
        .min(1, 'must be at least 1 day')
        .max(MAX_PERIOD_DAYS, `must be at most ${MAX_PERIOD_DAYS} days`)
        .default(DEFAULT_PERIOD_DAYS),
    ),
  })
  .superRefine((value, ctx) => {
    if (value.enabled && value.text === '') ctx.addIssue({ code: 'custom', path: ['text'], message: 'write the text of the reply' });
    if (value.from && value.until && value.until < value.from) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: `must be on or after the start date (${value.from})` });
    }
  });
export type AutoreplyInput = z.input<typeof autoreplySchema>;

/** How an autoreply stands today, for the panel and the command line. */
export function autoreplyStatus(autoreply: Autoreply | null, now = new Date()): 'off' | 'on' | 'scheduled' | 'ended' {
  if (!autoreply || !autoreply.enabled) return 'off';
  const today = localDateOf(now);
  if (isAutoreplyActive(autoreply, today)) return 'on';
  return autoreply.startsOn !== null && today < autoreply.startsOn ? 'scheduled' : 'ended';
}

const kindName = (mailbox: Mailbox) => (mailbox.kind === 'virtual' ? 'virtual-account' : 'pop-mailbox');

/** A mailbox's autoreply: its settings (panel and command line) and the responder that sends it. */
export function createAutoreplyService(context: ServiceContext, mailboxes: MailboxService, delivery: DeliveryService, log?: FailureLog) {
  const { db, audit } = context;
  const autoreplies = context.repos.autoreplies;
  const responder = createAutoreplyResponder(context, autoreplies, delivery, log);

  const save = db.transaction((mailbox: Mailbox, settings: AutoreplySettings, before: Autoreply | null) => {
    autoreplies.save(mailbox.id, settings);
    // A new or changed reply, or one turned back on, is a new absence: every sender is due it once again.
    const renewed = !before || (!before.enabled && settings.enabled) || before.subject !== settings.subject || before.text !== settings.text;
    if (renewed) autoreplies.forgetAllReplies(mailbox.id);
  });

  const removeAll = db.transaction((mailbox: Mailbox) => {
    autoreplies.forgetAllReplies(mailbox.id);
    return autoreplies.remove(mailbox.id);
  });

  return {
    get: (name: string): Autoreply | null => autoreplies.find(mailboxes.get(name).id),

    set(name: string, input: AutoreplyInput): Autoreply {
      const mailbox = mailboxes.get(name);
      const parsed = parseInput(autoreplySchema, input);
      const before = autoreplies.find(mailbox.id);
      const settings: AutoreplySettings = {
        enabled: parsed.enabled,
        subject: parsed.subject,
        text: parsed.text,
        startsOn: parsed.from,
        endsOn: parsed.until,
        periodDays: parsed.days,
      };
      save(mailbox, settings, before);
      const after = autoreplies.find(mailbox.id)!;
      audit.record(`${kindName(mailbox)}.autoreply`, mailbox.name, mailbox.accountUsername, before, after);
      return after;
    },

    /** Removes the autoreply and its vacation records; null when there was none. */
    remove(name: string): Autoreply | null {
      const mailbox = mailboxes.get(name);
      const before = autoreplies.find(mailbox.id);
      if (!before) return null;
      removeAll(mailbox);
      audit.record(`${kindName(mailbox)}.autoreply`, mailbox.name, mailbox.accountUsername, before, null);
      return before;
    },

    respond: responder.respond,
    settled: responder.settled,
  };
}

export type AutoreplyService = ReturnType<typeof createAutoreplyService>;
