import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

/** Each refusal says why on stderr, exits 1, and leaves everything as it was. */
describe('postyard: refusals', () => {
  let hosting: CliSandbox;
  let cli: CliSandbox;

  beforeAll(async () => {
    hosting = createCliSandbox();
    await hosting.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await hosting.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
    await hosting.ok(['pop', 'add', 'carol', '--account', 'bill', '--password', CLI_PASSWORD]);
  });
  beforeEach(() => {
    cli = hosting.clone();
  });
  afterEach(() => cli.dispose());
  afterAll(() => hosting.dispose());

  const snapshot = async () => [await cli.ok(['account', 'list']), (await cli.run(['pop', 'list'])).stdout];

  it('refuses a short password read from standard input, naming the field, and creates nothing', async () => {
    const before = await snapshot();
    const result = await cli.run(['account', 'add', 'dave'], 'abc\n');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe('postyard: password: must be at least 6 characters\n');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an empty standard input as a password instead of waiting', async () => {
    const result = await cli.run(['pop', 'add', 'erin', '--account', 'bill']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: password: must be at least 6 characters\n');
    expect((await cli.run(['pop', 'list'])).stdout).not.toContain('erin');
  });

  it.each([
    ['an account named like an account', ['account', 'add', 'bill', '--password', CLI_PASSWORD], 'bill'],
    ['an account named like a POP mailbox', ['account', 'add', 'carol', '--password', CLI_PASSWORD], 'carol'],
    ['a POP mailbox named like an account', ['pop', 'add', 'bill', '--account', 'bill', '--password', CLI_PASSWORD], 'bill'],
  ])('refuses %s: one username namespace for the server', async (_, args, name) => {
    const before = await snapshot();
    const result = await cli.run(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`postyard: username ${name} is already in use on this server\n`);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to host a domain that is already hosted, even on another account', async () => {
    await cli.ok(['account', 'add', 'zed', '--password', CLI_PASSWORD]);
    const before = await cli.ok(['domain', 'list']);
    const result = await cli.run(['domain', 'add', 'BILL.test', '--account', 'zed']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: bill.test is already hosted on this server\n');
    expect(await cli.ok(['domain', 'list'])).toBe(before);
  });

  it('refuses a virtual account on a domain that is not hosted here', async () => {
    const result = await cli.run(['vadduser', 'info@elsewhere.test', CLI_PASSWORD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: elsewhere.test is not hosted here: add the domain first\n');
    expect((await cli.run(['vuserinfo', 'info@elsewhere.test'])).code).toBe(1);
  });

  it('refuses a second virtual account with the same address', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    const hash = await cli.ok(['vuserinfo', '-p', 'info@bill.test']);
    const result = await cli.run(['vadduser', 'info@bill.test', 'other-pass9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: virtual account info@bill.test already exists\n');
    expect(await cli.ok(['vuserinfo', '-p', 'info@bill.test'])).toBe(hash);
  });

  it('refuses to remove a domain that still has virtual accounts unless forced', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    const refused = await cli.run(['domain', 'rm', 'bill.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bill.test still has 1 virtual account(s): info@bill.test');
    expect(await cli.ok(['vuserinfo', '-u', 'info@bill.test'])).toMatch(/^\d+\n$/);
    expect(await cli.ok(['domain', 'rm', 'bill.test', '--force'])).toBe('removed domain bill.test\n  removed virtual account info@bill.test\n');
    expect((await cli.run(['vuserinfo', 'info@bill.test'])).code).toBe(1);
  });

  it('refuses a bad quota size and leaves the quota as it was', async () => {
    const result = await cli.run(['vsetuserquota', 'carol', 'lots']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^postyard: quota: must be a size/);
    expect(await cli.ok(['vuserinfo', '-q', 'carol'])).toBe('NOQUOTA\n');
  });
});
