import { z } from 'zod';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseSize } from './domain/size.js';

const port = z.coerce.number().int('must be a whole number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535');
const size = z.string().transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === null || bytes < 1024) {
    ctx.addIssue({ code: 'custom', message: 'must be a size of at least 1K, like 25M' });
    return z.NEVER;
  }
  return bytes;
});

/** Every setting Postyard reads, from the environment, with the embedded defaults of the README. */
const configSchema = z.object({
  POSTYARD_DATA_DIR: z.string().min(1).default('./data').transform((value) => resolve(value)),
  POSTYARD_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  POSTYARD_HTTP_PORT: port.default(8080),
  POSTYARD_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
  POSTYARD_SMTP_PORT: port.default(2525),
  POSTYARD_SUBMISSION_PORT: port.default(2587),
  POSTYARD_HOSTNAME: z
    .string()
    .default(hostname())
    .refine((value) => !/[\s\u0000-\u001f]/.test(value) && value.length > 0 && value.length <= 253, 'must be a host name like mail.example.com')
    .transform((value) => value.toLowerCase()),
  POSTYARD_MAX_MESSAGE_SIZE: size.default(25 * 1024 * 1024),
  POSTYARD_MAX_RECIPIENTS: z.coerce.number().int().min(100, 'must be at least 100 (RFC 5321 4.5.3.1.8)').max(10_000).default(1000),
  POSTYARD_ADMIN_PASSWORD: z.string().optional(),
  POSTYARD_MAIL_USER: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'must be a system user name like vmail').optional(),
  POSTYARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the configuration; a bad environment lists every bad variable at once, not just the first. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('POSTYARD_') && value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Bad configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
