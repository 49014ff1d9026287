import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard forward, autoreply and qmail import through the real binary', () => {
  let hosting: CliSandbox;
  let cli: CliSandbox;

  beforeAll(async () => {
    hosting = createCliSandbox();
    await hosting.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await hosting.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
    await hosting.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    await hosting.ok(['pop', 'add', 'bob', '--account', 'bill', '--domain', 'bill.test', '--password', CLI_PASSWORD]);
  });
  beforeEach(() => {
    cli = hosting.clone();
  });
  afterEach(() => cli.dispose());
  afterAll(() => hosting.dispose());

  describe('forward', () => {
    it('sets a virtual account\'s forwarding to several addresses without a copy, and removes it again', async () => {
      expect(await cli.ok(['forward', 'set', 'info@bill.test', 'boss@elsewhere.example,bob@bill.test'])).toBe(
        'info@bill.test: forwarding to boss@elsewhere.example, bob@bill.test (no copy kept)\n',
      );
      const route = await cli.ok(['route', 'info@bill.test']);
      expect(route).toContain('boss@elsewhere.example');
      expect(await cli.ok(['forward', 'rm', 'info@bill.test'])).toBe('info@bill.test: forwarding removed (was to boss@elsewhere.example, bob@bill.test)\n');
      expect(await cli.ok(['forward', 'show', 'info@bill.test'])).toBe('info@bill.test: no forwarding\n');
    });

    it("sets a POP mailbox's forwarding by its bare username, keeping a copy with --keep", async () => {
      expect(await cli.ok(['forward', 'set', 'bob', 'bob@home.example', '--keep'])).toBe('bob: forwarding to bob@home.example (a copy stays in the mailbox)\n');
      expect(await cli.ok(['forward', 'show', 'bob'])).toBe('bob: forwarding to bob@home.example (a copy stays in the mailbox)\n');
    });

    it("refuses a forward to the mailbox's own address with exit 1, naming the field, and changes nothing", async () => {
      const result = await cli.run(['forward', 'set', 'info@bill.test', 'info@bill.test']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("postyard: addresses: info@bill.test is this mailbox's own address: its mail would come straight back\n");
      expect(await cli.ok(['forward', 'show', 'info@bill.test'])).toBe('info@bill.test: no forwarding\n');
    });

    it('refuses a malformed address and an unknown mailbox', async () => {
      const bad = await cli.run(['forward', 'set', 'info@bill.test', 'boss@elsewhere.example,nobody']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('postyard: addresses: nobody: "nobody" is not an address of the form local@domain\n');
      const unknown = await cli.run(['forward', 'set', 'ghost@bill.test', 'a@b.example']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe('postyard: virtual account ghost@bill.test does not exist\n');
    });

    it('says so, and exits 0, when removing a forwarding that was never set', async () => {
      const result = await cli.run(['forward', 'rm', 'bob']);
      expect(result).toEqual({ code: 0, stdout: '', stderr: 'bob was not forwarding; nothing changed\n' });
    });
  });

  describe('autoreply', () => {
    it('sets an autoreply with dates and removes it', async () => {
      const out = await cli.ok(['autoreply', 'set', 'info@bill.test', '--subject', 'Away', '--text', 'Back on Monday.', '--from', '2999-08-01', '--until', '2999-08-31']);
      expect(out).toBe('info@bill.test: autoreply scheduled, from 2999-08-01, until 2999-08-31, subject "Away", at most once per sender every 7 day(s)\n');
      expect(await cli.ok(['autoreply', 'show', 'info@bill.test'])).toBe(`${out}\nBack on Monday.\n`);
      expect(await cli.ok(['autoreply', 'rm', 'info@bill.test'])).toBe('info@bill.test: autoreply removed\n');
      expect(await cli.ok(['autoreply', 'show', 'info@bill.test'])).toBe('info@bill.test: autoreply off\n');
    });

    it('sets an autoreply for a POP mailbox, reading the text from standard input', async () => {
      const out = await cli.ok(['autoreply', 'set', 'bob', '--text', '-', '--days', '3'], 'Away.\nBack soon.\n');
      expect(out).toBe('bob: autoreply on, subject "Auto: " and the original subject, at most once per sender every 3 day(s)\n');
      expect(await cli.ok(['autoreply', 'show', 'bob'])).toBe(`${out}\nAway.\nBack soon.\n`);
    });

    it.each([
      [['--from', '2025-08-10', '--until', '2025-08-01'], 'postyard: until: must be on or after the start date (2025-08-10)\n'],
      [['--from', '10/08/2025'], 'postyard: from: must be a date written YYYY-MM-DD\n'],
      [['--until', '2025-02-30'], 'postyard: until: 2025-02-30 is not a date in the calendar\n'],
      [['--days', '0'], 'postyard: days: must be at least 1 day\n'],
    ])('refuses %j with exit 1, naming the field', async (options, stderr) => {
      const result = await cli.run(['autoreply', 'set', 'info@bill.test', '--text', 'Away', ...options]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(stderr);
      expect(await cli.ok(['autoreply', 'show', 'info@bill.test'])).toBe('info@bill.test: autoreply off\n');
    });

    it('requires --text', async () => {
      const result = await cli.run(['autoreply', 'set', 'info@bill.test', '--subject', 'Away']);
      expect(result.code).toBe(64);
      expect(result.stderr).toContain("required option '--text <text>' not specified");
    });
  });

  describe('qmail import', () => {
    let folder: string;
    beforeEach(() => {
      folder = mkdtempSync(join(tmpdir(), 'postyard-vpopmail-'));
    });
    afterEach(() => rmSync(folder, { recursive: true, force: true }));

    const write = (name: string, text: string) => writeFileSync(join(folder, name), text);

    it('imports forwarding, named rules and the catch-all, and reports each skipped line', async () => {
      write('.qmail-info', '&boss@elsewhere.example\n/home/vpopmail/domains/bill.test/info/Maildir/\n');
      write('.qmail-default', "| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox\n&catchall@elsewhere.example\n");
      write('.qmail-sales:team', '# the sales team\n&ann@elsewhere.example\nbob@bill.test\n');
      write('.qmail-orders', '|/usr/local/bin/process-order\n');
      mkdirSync(join(folder, 'info')); // a vpopmail user folder: not a forward file

      const result = await cli.run(['qmail', 'import', 'bill.test', folder]);

      expect(result.code).toBe(0);
      expect(result.stdout).toBe(
        [
          '.qmail-default: *@bill.test alias rule "*: catchall@elsewhere.example"',
          '.qmail-info: info@bill.test forwards to boss@elsewhere.example (virtual account; a copy stays in the mailbox)',
          '.qmail-sales:team: sales.team@bill.test alias rule "sales.team: ann@elsewhere.example, bob@bill.test"',
          'imported 3 file(s) into bill.test; skipped 4',
          '',
        ].join('\n'),
      );
      expect(result.stderr).toBe(
        [
          'skipped .qmail-default line 1: program delivery "|/home/vpopmail/bin/vdelivermail \'\' bounce-no-mailbox" is not imported',
          'skipped .qmail-info line 2: mailbox path "/home/vpopmail/domains/bill.test/info/Maildir/" is not imported',
          'skipped .qmail-orders line 1: program delivery "|/usr/local/bin/process-order" is not imported',
          'skipped .qmail-orders: has no forward lines: nothing to import',
          '',
        ].join('\n'),
      );
      expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe(
        '# locked: default alias of POP mailbox bob\nbob: bob\n*: catchall@elsewhere.example\nsales.team: ann@elsewhere.example, bob@bill.test\n',
      );
      expect(await cli.ok(['forward', 'show', 'info@bill.test'])).toBe('info@bill.test: forwarding to boss@elsewhere.example (a copy stays in the mailbox)\n');
    });

    it('reports every bad line with its file and number, exits 1 and imports nothing', async () => {
      write('.qmail-info', '&boss@elsewhere.example\n');
      write('.qmail-sales', '&ann@elsewhere.example\n&nodomain\n%what\n');
      write('.qmail-x', '&ok@elsewhere.example\n&bad@@elsewhere.example\n');

      const result = await cli.run(['qmail', 'import', 'bill.test', folder]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        [
          'postyard: the import was not done: 3 bad line(s)',
          '.qmail-sales line 2: "nodomain" must be a full address, local@domain',
          '.qmail-sales line 3: "%what" is not a forward, a program (|) or a mailbox path (/ or ./)',
          '.qmail-x line 2: "bad@" is not a valid local part',
          '',
        ].join('\n'),
      );
      expect(result.stdout).toBe('');
      expect(await cli.ok(['forward', 'show', 'info@bill.test'])).toBe('info@bill.test: no forwarding\n');
      expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('# locked: default alias of POP mailbox bob\nbob: bob\n');
    });

    it("sets a POP mailbox's forwarding through its default alias", async () => {
      write('.qmail-bob', '&bob@home.example\n');
      expect(await cli.ok(['qmail', 'import', 'bill.test', folder])).toBe(
        '.qmail-bob: bob@bill.test forwards to bob@home.example (POP mailbox bob; no copy kept)\nimported 1 file(s) into bill.test; skipped 0\n',
      );
      expect(await cli.ok(['forward', 'show', 'bob'])).toBe('bob: forwarding to bob@home.example (no copy kept)\n');
    });

    it('undoes the whole import when a service refuses one file (a forward to the mailbox itself)', async () => {
      write('.qmail-aaa', '&first@elsewhere.example\n');
      write('.qmail-info', '&info@bill.test\n');

      const result = await cli.run(['qmail', 'import', 'bill.test', folder]);

      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "postyard: the import was not done: .qmail-info: addresses: info@bill.test is this mailbox's own address: its mail would come straight back\n",
      );
      expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('# locked: default alias of POP mailbox bob\nbob: bob\n');
    });

    it('refuses a folder without forward files, a missing folder and a domain not hosted here', async () => {
      expect(await cli.run(['qmail', 'import', 'bill.test', folder])).toMatchObject({ code: 1, stderr: `postyard: no .qmail-<user> files in ${folder}\n` });
      expect(await cli.run(['qmail', 'import', 'bill.test', join(folder, 'missing')])).toMatchObject({
        code: 1,
        stderr: `postyard: cannot read the folder ${join(folder, 'missing')}: no such folder\n`,
      });
      write('.qmail-info', '&boss@elsewhere.example\n');
      expect(await cli.run(['qmail', 'import', 'other.test', folder])).toMatchObject({ code: 1, stderr: 'postyard: other.test is not hosted here\n' });
    });
  });
});
