import { z } from 'zod';
import { domainProblem, localPartProblem, parseAddress, usernameProblem } from './address.js';
import { parseSize } from './size.js';
import { PostyardError, type FieldIssue } from './errors.js';

/** Zod schemas shared by the panel's forms and the command line; messages live here, once. */

const checkedBy = (problemOf: (value: string) => string | null) => (value: string, ctx: z.RefinementCtx) => {
  const problem = problemOf(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

function addressProblem(value: string): string | null {
  const parsed = parseAddress(value);
  return 'problem' in parsed ? parsed.problem : null;
}

export const usernameSchema = z.string().trim().toLowerCase().superRefine(checkedBy(usernameProblem));
export const domainNameSchema = z.string().trim().toLowerCase().superRefine(checkedBy(domainProblem));
export const localPartSchema = z.string().trim().toLowerCase().superRefine(checkedBy(localPartProblem));
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine(checkedBy(addressProblem));

export const MIN_PASSWORD_LENGTH = 6;
// bcrypt reads at most 72 bytes; a longer password would be silently cut.
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .refine((value) => Buffer.byteLength(value) <= 72, 'must be at most 72 bytes')
  .refine((value) => !/\s/.test(value), 'must not contain spaces')
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');

export const bcryptHashSchema = z
  .string()
  .regex(/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/, 'must be a bcrypt hash ($2a$, $2b$ or $2y$)');

/** A size in bytes: a whole number, or text with a K, M or G suffix; "" means no limit. */
export const sizeSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else {
    const bytes = parseSize(value);
    if (bytes !== null) return bytes;
  }
  ctx.addIssue({ code: 'custom', message: 'must be a size in bytes, optionally with K, M or G (like 500M)' });
  return z.NEVER;
});

/** A size, or "none"/"NOQUOTA"/"" for no limit (null). */
export const optionalSizeSchema = z.union([z.number(), z.string(), z.null()]).transform((value, ctx) => {
  if (value === null || (typeof value === 'string' && /^\s*(|none|noquota|unlimited)\s*$/i.test(value))) return null;
  const parsed = sizeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: 'custom', message: 'must be a size in bytes, optionally with K, M or G, or "none"' });
  return z.NEVER;
});

export const countSchema = z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(100_000);

/** Parses input with a schema, turning every problem into one PostyardError that names each field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || 'input',
    message: issue.message,
  }));
  throw new PostyardError('INVALID_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

/** An FTP home folder inside the account's files, like /www/pdf/newcars/: absolute, and no way up out of it. */
export const ftpHomeSchema = z
  .string()
  .trim()
  .max(255, 'must be at most 255 characters')
  .refine((value) => value.startsWith('/'), 'must start with "/" (the top of the account\'s files)')
  .refine((value) => !/[\u0000-\u001f\u007f\\]/.test(value), 'must not contain control characters or "\\"')
  .refine((value) => value.split('/').every((segment) => segment !== '..' && segment !== '.'), 'must not contain "." or ".." folders')
  .transform((value) => value.replace(/\/+/g, '/'));

/** Free text such as a display name or vpopmail's comment: one line, printable. */
export const displayNameSchema = z
  .string()
  .trim()
  .max(100, 'must be at most 100 characters')
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must be one line without control characters');
