import { z } from 'zod';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_QUEUE_LIFETIME_MS, parseDuration } from './domain/retry-schedule.js';
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
const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration like 5d, 36h or 90m' });
    return z.NEVER;
  }
  return ms;
});

/** Every setting Postyard reads, from the environment, with the embedded defaults of the README. */
const configSchema = z.object({
  POSTYARD_DATA_DIR: z.string().min(1).default('./data').transform((value) => resolve(value)),
  POSTYARD_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  POSTYARD_HTTP_PORT: port.default(8080),
  POSTYARD_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
  POSTYARD_SMTP_PORT: port.default(2525),
  POSTYARD_SUBMISSION_PORT: port.default(2587),
  /** Milliseconds port 25 waits before greeting, refusing clients that talk first (a pre-greet test); 0 = greet at once. */
  POSTYARD_SMTP_GREETING_DELAY: z.coerce.number().int('must be a whole number of milliseconds').min(0, 'must be 0 or more').max(30_000, 'must be at most 30000').default(0),
  POSTYARD_POP3_HOST: z.string().min(1).default('0.0.0.0'),
  POSTYARD_POP3_PORT: port.default(2110),
  /** POP3 over TLS from the first byte (995 in production); off unless set. */
  POSTYARD_POP3S_PORT: port.optional(),
  POSTYARD_HOSTNAME: z
    .string()
    .default(hostname())
    .refine((value) => !/[\s\u0000-\u001f]/.test(value) && value.length > 0 && value.length <= 253, 'must be a host name like mail.example.com')
    .transform((value) => value.toLowerCase()),
  POSTYARD_MAX_MESSAGE_SIZE: size.default(25 * 1024 * 1024),
  POSTYARD_MAX_RECIPIENTS: z.coerce.number().int().min(100, 'must be at least 100 (RFC 5321 4.5.3.1.8)').max(10_000).default(1000),
  POSTYARD_TLS_CERT: z.string().min(1).transform((value) => resolve(value)).optional(),
  POSTYARD_TLS_KEY: z.string().min(1).transform((value) => resolve(value)).optional(),
  POSTYARD_SEND_MAX_RECIPIENTS: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000).default(50),
  POSTYARD_SEND_MAX_PER_HOUR: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000).default(500),
  // The outbound relay (smarthost) that queued mail leaves through; without a host the queue holds mail.
  POSTYARD_RELAY_HOST: z
    .string()
    .refine((value) => /^[^\s\u0000-\u001f/]{1,253}$/.test(value), 'must be a host name or IP address like smtp.example.net')
    .optional(),
  POSTYARD_RELAY_PORT: port.min(1, 'must be 1-65535').default(25),
  POSTYARD_RELAY_USER: z.string().optional(),
  POSTYARD_RELAY_PASSWORD: z.string().optional(),
  /** Unset: STARTTLS when the relay offers it (required, and verified, when credentials are set). */
  POSTYARD_RELAY_TLS: z.enum(['none', 'starttls', 'tls'], { message: 'must be none, starttls or tls' }).optional(),
  POSTYARD_QUEUE_LIFETIME: duration.default(DEFAULT_QUEUE_LIFETIME_MS),
  POSTYARD_ADMIN_PASSWORD: z.string().optional(),
  POSTYARD_MAIL_USER: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'must be a system user name like vmail').optional(),
  POSTYARD_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((config, ctx) => {
  // A certificate without its key (or the reverse) is a mistake, not a request for the self-signed one.
  if (Boolean(config.POSTYARD_TLS_CERT) !== Boolean(config.POSTYARD_TLS_KEY)) {
    const [missing, present] = config.POSTYARD_TLS_CERT ? ['POSTYARD_TLS_KEY', 'POSTYARD_TLS_CERT'] : ['POSTYARD_TLS_CERT', 'POSTYARD_TLS_KEY'];
    ctx.addIssue({ code: 'custom', path: [missing], message: `must be set too when ${present} is (both PEM file paths)` });
  }
  if (config.POSTYARD_RELAY_USER !== undefined && config.POSTYARD_RELAY_PASSWORD === undefined) {
    ctx.addIssue({ code: 'custom', path: ['POSTYARD_RELAY_PASSWORD'], message: 'must be set too when POSTYARD_RELAY_USER is' });
  }
  if (config.POSTYARD_RELAY_PASSWORD !== undefined && config.POSTYARD_RELAY_USER === undefined) {
    ctx.addIssue({ code: 'custom', path: ['POSTYARD_RELAY_USER'], message: 'must be set too when POSTYARD_RELAY_PASSWORD is' });
  }
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
