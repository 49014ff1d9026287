import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PostyardError } from '../../src/domain/errors.js';
import {
  bcryptHashSchema,
  countSchema,
  displayNameSchema,
  domainNameSchema,
  emailSchema,
  ftpHomeSchema,
  localPartSchema,
  optionalSizeSchema,
  parseInput,
  passwordSchema,
  sizeSchema,
  usernameSchema,
} from '../../src/domain/schemas.js';

/** The error parseInput throws, for asserting on its code and issues. */
function refusal(schema: z.ZodType, input: unknown): PostyardError {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof PostyardError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('passwordSchema', () => {
  it.each([
    { what: 'six characters', password: 'abc123' },
    { what: 'punctuation', password: 'p@ss-w0rd!' },
    { what: 'exactly 72 bytes', password: 'x'.repeat(72) },
    { what: '72 bytes of two-byte characters', password: '\u00e9'.repeat(36) },
  ])('accepts a password with $what', ({ password }) => {
    expect(parseInput(passwordSchema, password)).toBe(password);
  });

  it.each([
    { what: 'under six characters', password: 'abc12', message: /at least 6 characters/ },
    { what: 'nothing at all', password: '', message: /at least 6 characters/ },
    { what: 'a space', password: 'correct horse', message: /must not contain spaces/ },
    { what: 'a tab', password: 'correct\thorse', message: /must not contain spaces/ },
    { what: 'over 72 bytes', password: 'x'.repeat(73), message: /at most 72 bytes/ },
    { what: 'over 72 bytes in only 37 characters', password: '\u00e9'.repeat(37), message: /at most 72 bytes/ },
    { what: 'a control character', password: 'secret\u0001pass', message: /control characters/ },
  ])('refuses a password with $what', ({ password, message }) => {
    const error = refusal(passwordSchema, password);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.message).join('\n')).toMatch(message);
  });

  it('refuses a non-string password', () => {
    expect(refusal(passwordSchema, 123456).code).toBe('INVALID_INPUT');
  });
});

describe('usernameSchema', () => {
  it.each([
    { input: 'bob', output: 'bob' },
    { input: 'BobSmith', output: 'bobsmith' },
    { input: '  bob.smith  ', output: 'bob.smith' },
    { input: 'bob_smith-2', output: 'bob_smith-2' },
  ])('accepts "$input" as "$output"', ({ input, output }) => {
    expect(parseInput(usernameSchema, input)).toBe(output);
  });

  it.each([
    { what: '".."', input: 'bob..smith' },
    { what: '"/"', input: 'bob/smith' },
    { what: 'a leading digit', input: '1bob' },
    { what: 'an @', input: 'bob@example.com' },
    { what: 'only ".."', input: '..' },
    { what: 'nothing', input: '   ' },
    { what: 'more than 32 characters', input: 'b'.repeat(33) },
  ])('refuses a username with $what', ({ input }) => {
    expect(refusal(usernameSchema, input).code).toBe('INVALID_INPUT');
  });
});

describe('domainNameSchema', () => {
  it.each([
    { input: 'example.com', output: 'example.com' },
    { input: ' Example.COM ', output: 'example.com' },
    { input: 'mail.my-site.co.uk', output: 'mail.my-site.co.uk' },
  ])('accepts "$input" as "$output"', ({ input, output }) => {
    expect(parseInput(domainNameSchema, input)).toBe(output);
  });

  it.each(['localhost', 'example..com', '-example.com', 'exa_mple.com', 'example.com/..', '../etc', ''])('refuses "%s"', (input) => {
    expect(refusal(domainNameSchema, input).code).toBe('INVALID_INPUT');
  });
});

describe('localPartSchema and emailSchema', () => {
  it.each([
    { schema: localPartSchema, input: ' Sales ', output: 'sales' },
    { schema: emailSchema, input: ' Info@Example.COM ', output: 'info@example.com' },
  ])('lower-cases and trims "$input" to "$output"', ({ schema, input, output }) => {
    expect(parseInput(schema, input)).toBe(output);
  });

  it.each([
    { schema: localPartSchema, input: 'a/b' },
    { schema: localPartSchema, input: 'a..b' },
    { schema: emailSchema, input: 'info' },
    { schema: emailSchema, input: 'info@localhost' },
  ])('refuses "$input"', ({ schema, input }) => {
    expect(refusal(schema, input).code).toBe('INVALID_INPUT');
  });
});

describe('sizeSchema', () => {
  it.each([
    { input: 5000, bytes: 5000 },
    { input: 0, bytes: 0 },
    { input: '5000', bytes: 5000 },
    { input: '500M', bytes: 500 * 1024 ** 2 },
    { input: '2g', bytes: 2 * 1024 ** 3 },
  ])('reads $input as $bytes bytes', ({ input, bytes }) => {
    expect(parseInput(sizeSchema, input)).toBe(bytes);
  });

  it.each([
    { what: 'a negative number', input: -1 },
    { what: 'a fraction of a byte', input: 1.5 },
    { what: 'an unsafe integer', input: 2 ** 60 },
    { what: 'words', input: 'big' },
    { what: '"none" (only the optional size means no limit)', input: 'none' },
  ])('refuses $what', ({ input }) => {
    expect(refusal(sizeSchema, input).issues[0]?.message).toMatch(/must be a size in bytes/);
  });

  it('refuses null, which only the optional size accepts', () => {
    expect(refusal(sizeSchema, null).code).toBe('INVALID_INPUT');
  });
});

describe('optionalSizeSchema', () => {
  it.each([
    { input: 'none', bytes: null },
    { input: 'NONE', bytes: null },
    { input: 'NOQUOTA', bytes: null },
    { input: 'noquota', bytes: null },
    { input: 'unlimited', bytes: null },
    { input: '', bytes: null },
    { input: '   ', bytes: null },
    { input: null, bytes: null },
    { input: '10M', bytes: 10 * 1024 ** 2 },
    { input: 5000, bytes: 5000 },
    { input: 0, bytes: 0 },
  ])('reads $input as $bytes', ({ input, bytes }) => {
    expect(parseInput(optionalSizeSchema, input)).toBe(bytes);
  });

  it.each([{ input: 'lots' }, { input: -5 }, { input: 'none please' }])('refuses $input', ({ input }) => {
    expect(refusal(optionalSizeSchema, input).issues[0]?.message).toMatch(/or "none"/);
  });
});

describe('countSchema', () => {
  it.each([
    { input: 0, count: 0 },
    { input: '10', count: 10 },
    { input: 100_000, count: 100_000 },
  ])('reads $input as $count', ({ input, count }) => {
    expect(parseInput(countSchema, input)).toBe(count);
  });

  it.each([{ input: -1 }, { input: '1.5' }, { input: 100_001 }, { input: 'ten' }])('refuses $input', ({ input }) => {
    expect(refusal(countSchema, input).code).toBe('INVALID_INPUT');
  });
});

describe('ftpHomeSchema', () => {
  it.each([
    { input: '/www/pdf/newcars/', output: '/www/pdf/newcars/' },
    { input: '/', output: '/' },
    { input: '  /www  ', output: '/www' },
    { input: '/www//pdf///newcars', output: '/www/pdf/newcars' },
    { input: '/www/..hidden/...', output: '/www/..hidden/...' },
  ])('accepts "$input" as "$output"', ({ input, output }) => {
    expect(parseInput(ftpHomeSchema, input)).toBe(output);
  });

  it.each([
    { what: 'a relative path that climbs out', input: '../x', message: /must start with "\/"/ },
    { what: 'a ".." in the middle', input: '/a/../b', message: /"\." or "\.\." folders/ },
    { what: 'a ".." at the end', input: '/www/..', message: /"\." or "\.\." folders/ },
    { what: 'a "." folder', input: '/www/./pdf', message: /"\." or "\.\." folders/ },
    { what: 'a relative path', input: 'www/pdf', message: /must start with "\/"/ },
    { what: 'a backslash', input: '/www\\..\\x', message: /control characters or "\\"/ },
    { what: 'a NUL', input: '/www\u0000/x', message: /control characters/ },
    { what: 'more than 255 characters', input: `/${'a'.repeat(255)}`, message: /at most 255/ },
  ])('refuses $what', ({ input, message }) => {
    expect(refusal(ftpHomeSchema, input).issues.map((issue) => issue.message).join('\n')).toMatch(message);
  });
});

describe('displayNameSchema', () => {
  it('trims a printable one-line name', () => {
    expect(parseInput(displayNameSchema, '  Bob Smith, Sales  ')).toBe('Bob Smith, Sales');
  });

  it.each([{ input: 'Bob\nSmith' }, { input: 'Bob\u0000' }, { input: 'x'.repeat(101) }])('refuses $input', ({ input }) => {
    expect(refusal(displayNameSchema, input).code).toBe('INVALID_INPUT');
  });
});

describe('bcryptHashSchema', () => {
  const body = `$10$${'a'.repeat(53)}`;
  it.each([`$2a${body}`, `$2b${body}`, `$2y${body}`])('accepts a hash like %s', (hash) => {
    expect(parseInput(bcryptHashSchema, hash)).toBe(hash);
  });

  it.each([`$2x${body}`, `$2b$10$${'a'.repeat(52)}`, 'plain-text-password', ''])('refuses "%s"', (hash) => {
    expect(refusal(bcryptHashSchema, hash).code).toBe('INVALID_INPUT');
  });
});

describe('parseInput', () => {
  const form = z.object({ username: usernameSchema, password: passwordSchema, quota: optionalSizeSchema, ftpHome: ftpHomeSchema.optional() });

  it('returns the parsed, normalised values when every field is valid', () => {
    expect(parseInput(form, { username: 'Bob', password: 'secret-pass1', quota: 'none', ftpHome: '/www//pdf/' })).toStrictEqual({
      username: 'bob',
      password: 'secret-pass1',
      quota: null,
      ftpHome: '/www/pdf/',
    });
  });

  it.each([
    { behaviour: 'names the username field', input: { username: '1bob', password: 'secret-pass1', quota: 'none' }, fields: ['username'] },
    { behaviour: 'names the password field', input: { username: 'bob', password: 'short', quota: 'none' }, fields: ['password'] },
    { behaviour: 'names the ftpHome field', input: { username: 'bob', password: 'secret-pass1', quota: 'none', ftpHome: '/a/../b' }, fields: ['ftpHome'] },
    {
      behaviour: 'names every bad field at once',
      input: { username: 'a/b', password: 'has space', quota: 'lots', ftpHome: '../x' },
      fields: ['username', 'password', 'quota', 'ftpHome'],
    },
    { behaviour: 'names a missing field', input: { password: 'secret-pass1', quota: null }, fields: ['username'] },
  ])('throws one INVALID_INPUT PostyardError that $behaviour', ({ input, fields }) => {
    const error = refusal(form, input);
    expect(error).toBeInstanceOf(PostyardError);
    expect(error.code).toBe('INVALID_INPUT');
    expect([...new Set(error.issues.map((issue) => issue.field))]).toStrictEqual(fields);
    for (const field of fields) expect(error.message).toContain(`${field}: `);
  });

  it('names the input itself when a bare value is refused', () => {
    const error = refusal(usernameSchema, '1bob');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ field: 'input' });
    expect(error.message).toMatch(/^input: .*must start with a letter/);
  });

  it('joins nested paths with dots', () => {
    const error = refusal(z.object({ owner: z.object({ username: usernameSchema }) }), { owner: { username: '1bob' } });
    expect(error.issues[0]?.field).toBe('owner.username');
  });
});
