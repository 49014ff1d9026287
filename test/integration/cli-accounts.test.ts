import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard: accounts and domains', () => {
  let cli: CliSandbox;
  beforeEach(() => {
    cli = createCliSandbox();
  });
  afterEach(() => cli.dispose());

  it('creates an account with a password piped on standard input', async () => {
    expect(await cli.ok(['account', 'add', 'bill', '--quota', '500M'], `${CLI_PASSWORD}\n`)).toBe('created account bill\n');
    expect(await cli.ok(['account', 'list'])).toMatch(/\nbill\s+-\s+500 MiB\s+0 B \(0%\)\s+0\s+0\/10\s+active\n$/);
    expect(existsSync(join(cli.dataDir, 'homes', 'bill', 'Maildir', 'new'))).toBe(true);
  });

  it('changes a plan and disables and enables an account', async () => {
    await cli.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    expect(await cli.ok(['account', 'plan', 'bill', '--quota', '2G', '--pop-packs', '3', '--disable'])).toBe(
      'bill: disk quota 2.0 GiB, mailbox quota unlimited, up to 10 child accounts, 3 POP pack(s) (30 mailboxes), disabled\n',
    );
    expect(await cli.ok(['account', 'plan', 'bill', '--enable', '--quota', 'none'])).toContain('disk quota unlimited');
    expect(await cli.ok(['account', 'list'])).toMatch(/\nbill\s+-\s+unlimited\s+0 B\s+0\s+0\/30\s+active\n$/);
  });

  it('removes an account with its children, domains and mailboxes, and says what went', async () => {
    await cli.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await cli.ok(['account', 'add', 'bob', '--parent', 'bill', '--password', CLI_PASSWORD]);
    await cli.ok(['domain', 'add', 'bob.test', '--account', 'bob']);
    await cli.ok(['vadduser', 'info@bob.test', CLI_PASSWORD]);
    await cli.ok(['pop', 'add', 'carol', '--account', 'bill', '--password', CLI_PASSWORD]);
    const out = await cli.ok(['account', 'rm', 'bill']);
    expect(out.split('\n')).toEqual([
      'removed account bill',
      '  POP mailbox carol',
      'removed child account bob',
      '  domain bob.test',
      '  virtual account info@bob.test',
      '',
    ]);
    expect((await cli.run(['account', 'list'])).stdout).toBe('');
    expect(existsSync(join(cli.dataDir, 'homes', 'bill'))).toBe(false);
    expect(existsSync(join(cli.dataDir, 'homes', 'bob'))).toBe(false);
    // The names are free again.
    await cli.ok(['account', 'add', 'carol', '--password', CLI_PASSWORD]);
  });

  it('refuses a child of a child account: accounts are two levels deep', async () => {
    await cli.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await cli.ok(['account', 'add', 'bob', '--parent', 'bill', '--password', CLI_PASSWORD]);
    const result = await cli.run(['account', 'add', 'tim', '--parent', 'bob', '--password', CLI_PASSWORD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: bob is a child account and cannot have children\n');
    expect(await cli.ok(['account', 'list'])).not.toContain('tim');
  });

  it('lists domains with their account, virtual accounts and rules', async () => {
    await cli.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await cli.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
    await cli.ok(['alias', 'set', '*@bill.test', 'discard']);
    expect(await cli.ok(['domain', 'list', '--account', 'bill'])).toBe(
      'DOMAIN     ACCOUNT  VIRTUAL ACCOUNTS  ALIAS RULES\nbill.test  bill     0                 1\n',
    );
  });
});
