import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHeads, errors, field, fillForm, flash, follow, foldersHolding, heading, launchPanelBrowser, login, logout } from '../helpers/panel-browser.js';
import { routeResult, ruleRow, sendWithSmtplib, submit, type PanelBrowser, type RouteResult } from '../helpers/panel-browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

// Seeds 000, 001 and 003 as a new user does them, in the panel alone; then real mail shows the pages told the truth.
describe('a new hosting customer set up through the panel alone, then mail lands where the pages said', () => {
  let served: ServedPostyard;
  let browser: PanelBrowser;
  let admin: Page, bill: Page;
  const shown = new Map<string, RouteResult>();
  const menu = (page: Page, label: string) => follow(page, label, page.locator('nav.menu'));
  const tab = (label: string) => follow(bill, label, bill.locator('nav.tabs'));

  beforeAll(async () => {
    served = await servePostyard();
    browser = await launchPanelBrowser(served.panelUrl);
    [admin, bill] = [await browser.session(), await browser.session()];
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('the admin logs in with the printed password and must choose a new one first', async () => {
    await login(admin, 'admin', served.adminPassword);
    expect(admin.url()).toMatch(/\/password$/);
    await expect(admin.locator('.notice').innerText()).resolves.toContain('password printed at the first start');
    await fillForm(admin, { 'Current password': served.adminPassword, 'New password': 'admins-own-secret', 'New password again': 'admins-own-secret' });
    await submit(admin, 'Change password');
    expect(await flash(admin)).toBe('Your password was changed.');
    expect(await heading(admin)).toBe('Server');
  });

  it('the admin creates the parent account bill with a plan: disk quota, mailbox quota, POP packs', async () => {
    await menu(admin, 'Accounts');
    await expect(admin.locator('main .empty').innerText()).resolves.toContain('No accounts yet');
    await fillForm(admin, { Username: 'bill', Password: 'bills-secret', 'Disk quota': '1G', 'Default mailbox quota': '100M', 'Child accounts allowed': '3', 'POP mailbox packs': '1' });
    await submit(admin, 'Create account');
    expect(await flash(admin)).toBe('Created the parent account bill.');
    expect(await heading(admin)).toBe('bill');
    const plan = await admin.locator('dl.facts').innerText();
    expect(plan).toMatch(/Disk quota\s+1\.0 GiB\s+Default mailbox quota\s+100 MiB\s+Child accounts allowed\s+3\s+POP mailboxes allowed\s+10 \(1 pack\(s\) of 10\)/);
    await logout(admin);
    expect(admin.url()).toMatch(/\/login$/);
    await login(admin, 'admin', 'admins-own-secret'); // the admin stays at hand, in a window of its own
  });

  it('bill logs in and adds the domain bill.test', async () => {
    await login(bill, 'bill', 'bills-secret');
    expect(await heading(bill)).toBe('bill');
    await expect(bill.locator('main').innerText()).resolves.toContain('No domains hosted on this account yet.');
    await menu(bill, 'Domains');
    await fillForm(bill, { 'Domain name': 'bill.test' });
    await submit(bill, 'Add domain');
    expect(await flash(bill)).toBe('bill.test is now hosted on bill.');
    await expect(bill.locator('.domain-list').innerText()).resolves.toContain('bill.test');
  });

  it('bill adds the child account bcsales1', async () => {
    await menu(bill, 'Child accounts');
    await expect(bill.locator('main').innerText()).resolves.toContain('Your plan allows 3 child accounts; you have 0.');
    await fillForm(bill, { Username: 'bcsales1', Password: 'sales1-secret', 'Disk quota': '200M' });
    await submit(bill, 'Create account');
    expect(await flash(bill)).toBe('Created the child account bcsales1.');
    await expect(bill.locator('main .hint').first().innerText()).resolves.toBe('Child account of bill');
  });

  it('bill creates the virtual accounts info@bill.test (50M quota) and sales@bill.test', async () => {
    for (const [local, name, quota] of [['info', 'Info desk', '50M'], ['sales', 'Sales', '']] as const) {
      await menu(bill, 'Virtual accounts');
      await follow(bill, 'New virtual account');
      await fillForm(bill, { 'Email address': local, Password: `${local}-secret`, 'Password again': `${local}-secret`, 'Display name': name, Quota: quota });
      expect(await bill.locator('select[aria-label=Domain]').inputValue()).toBe('bill.test');
      await submit(bill, 'Create virtual account');
      expect(await flash(bill)).toBe(`Created the virtual account ${local}@bill.test.`);
    }
    await expect(bill.locator('table.mailbox-table tbody tr').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^info@bill\.test\s+Info desk\s+0 B of 50 MiB \(0%\)\s+Edit\s+Password\s+Delete$/),
      expect.stringMatching(/^sales@bill\.test\s+Sales\s+0 B of 100 MiB \(0%\)\s+Edit\s+Password\s+Delete$/),
    ]);
  });

  it('bill creates the POP mailbox bob with bill.test for its default alias, shown locked on the alias page', async () => {
    await menu(bill, 'POP mailboxes');
    await expect(bill.locator('.allowance').innerText()).resolves.toContain('0 of 10 used');
    await follow(bill, 'New POP mailbox');
    await fillForm(bill, { Username: 'bob', 'Domain for the default alias': 'bill.test', 'Real name': 'Bob Smith', Password: 'bobs-secret', 'Password again': 'bobs-secret' });
    await submit(bill, 'Create POP mailbox');
    expect(await flash(bill)).toBe('Created the POP mailbox bob with the default alias bob@bill.test.');
    await expect(bill.locator('table.mailbox-table tbody tr').innerText()).resolves.toMatch(/bob[\s\S]*Bob Smith[\s\S]*bob@bill\.test default/);
    await menu(bill, 'Domains');
    await follow(bill, 'Aliases', bill.locator('.domain-list li', { hasText: 'bill.test' }));
    expect(await heading(bill)).toBe('Email aliases bill.test');
    const bob = ruleRow(bill, 'bob');
    await expect(bob.innerText()).resolves.toMatch(/Deliver to account\s+bob\s+locked default alias of POP mailbox bob/);
    expect(await bob.getByRole('link', { name: 'Edit' }).count()).toBe(0);
  });

  it('bill adds the rules team (forward), old (fail with a message) and bcsales (deliver to bcsales1)', async () => {
    const rules: Array<[string, Record<string, string | boolean>]> = [
      ['team', { 'Forward To': true, Addresses: 'info@bill.test\nboss@elsewhere.example' }],
      ['old', { Fail: true, 'Message for the sender': 'This address is no longer in use' }],
      ['bcsales', { 'Deliver to account': true, 'Account or POP mailbox': 'bcsales1' }],
    ];
    for (const [localPart, values] of rules) {
      await follow(bill, 'Add a rule');
      await fillForm(bill, { 'Local part': localPart, ...values });
      await submit(bill, 'Save rule');
      expect(await flash(bill)).toBe(`Saved the rule ${localPart}@bill.test.`);
    }
    await expect(ruleRow(bill, 'team').innerText()).resolves.toMatch(/Forward To\s+info@bill\.test, boss@elsewhere\.example/);
    await expect(ruleRow(bill, 'old').innerText()).resolves.toMatch(/Fail\s+This address is no longer in use/);
    await expect(ruleRow(bill, 'bcsales').innerText()).resolves.toMatch(/Deliver to account\s+bcsales1/);
  });

  it('bill closes the domain: the * rule fails every other address', async () => {
    await fillForm(bill.locator('#close'), { 'Fail: refuse it, and tell the sender why': true, 'Message for Fail': 'No such email address' });
    await submit(bill, 'Close this domain');
    expect(await flash(bill)).toBe('bill.test is closed: only its virtual accounts and named rules receive mail.');
    await expect(bill.locator('#close').innerText()).resolves.toContain('This domain is closed: the * rule says Fail (No such email address).');
  });

  it('the map file editor refuses a bad line with its number and reason, keeps the text, and changes nothing', async () => {
    const before = await bill.locator('table.rules tbody').innerText();
    await tab('Map file');
    const editor = await field(bill, 'Rules of bill.test, one a line');
    const saved = await editor.inputValue();
    expect(saved).toContain('# locked: default alias of POP mailbox bob\nbob: bob\n');
    const typed = `${saved}helpdesk info@bill.test\n`;
    await editor.fill(typed);
    await submit(bill, 'Save the map file');
    const badLine = typed.split('\n').length - 1; // the line just added, as the user counts
    await expect(bill.locator('.problems').innerText()).resolves.toContain(`Line ${badLine} helpdesk info@bill.test: expected "local-part: action"`);
    expect(await (await field(bill, 'Rules of bill.test, one a line')).inputValue()).toBe(typed);
    await tab('Email aliases');
    expect(await bill.locator('table.rules tbody').innerText()).toBe(before);
    await tab('Map file');
    await (await field(bill, 'Rules of bill.test, one a line')).fill(`${saved}helpdesk: info@bill.test\n`);
    await submit(bill, 'Save the map file');
    expect(await flash(bill)).toBe('Saved the map file of bill.test: 6 rule(s).');
    expect(await errors(bill)).toEqual([]);
  });

  it.each([
    ['info@bill.test', 'virtual account', { folders: ['homes/bill/.mailboxes/info@bill.test'] }],
    ['sales@bill.test', 'virtual account', { folders: ['homes/bill/.mailboxes/sales@bill.test'] }],
    ['team@bill.test', 'named rule', { folders: ['homes/bill/.mailboxes/info@bill.test'], queuedFor: ['boss@elsewhere.example'] }],
    ['helpdesk@bill.test', 'named rule', { folders: ['homes/bill/.mailboxes/info@bill.test'] }],
    ['bcsales@bill.test', 'named rule', { folders: ['homes/bcsales1/Maildir'] }],
    ['bob@bill.test', 'named rule', { folders: ['homes/bill/.mailboxes/bob'] }],
    ['old@bill.test', 'named rule', { refusal: '550 5.1.1 <old@bill.test>: This address is no longer in use' }],
    ['nobody@bill.test', '* rule', { refusal: '550 5.1.1 <nobody@bill.test>: No such email address' }],
    ['someone@elsewhere.example', 'refused', { refusal: '550 5.7.1 <someone@elsewhere.example>: relaying denied, the domain is not hosted here' }],
  ])('the route tester explains %s (%s)', async (address, decision, expected) => {
    if (!bill.url().includes('/route')) await tab('Route tester');
    await fillForm(bill, { 'Recipient address': address });
    await submit(bill, 'Check the route');
    const seen = await routeResult(bill);
    expect(seen.steps[0]).toContain(`${address}: ${decision}`);
    expect({ folders: seen.folders, queuedFor: seen.queuedFor, refusal: seen.refusal }).toEqual({ folders: [], queuedFor: [], refusal: null, ...expected });
    shown.set(address, seen);
  });

  it('mail sent with Python smtplib lands exactly in the folders the route tester showed, or gets its refusal', async () => {
    expect(shown.size).toBe(9);
    for (const [address, expected] of shown) {
      const subject = `To ${address}`;
      const outcome = await sendWithSmtplib(served.smtpPort, address, subject);
      expect(outcome, address).toEqual(expected.refusal ? { accepted: false, reply: expected.refusal } : { accepted: true });
      expect(foldersHolding(served.dataDir, subject), address).toEqual([...new Set(expected.folders)].sort());
    }
    await admin.goto('/queue');
    await expect(admin.locator('main').innerText()).resolves.toContain('boss@elsewhere.example');
  });

  it('storage management shows the mail now stored, for the account and each mailbox', async () => {
    await menu(bill, 'Storage');
    await expect(bill.locator('section.card').first().locator('.usage').innerText()).resolves.toMatch(/^\d+(\.\d)? KiB of 1\.0 GiB \(0%\)$/);
    const rows = bill.locator('table.storage-table tbody tr');
    await expect(rows.filter({ hasText: 'info@bill.test' }).locator('.usage').innerText()).resolves.toMatch(/^\d\.\d KiB of 50 MiB \(0%\)$/);
    await expect(rows.filter({ hasText: 'sales@bill.test' }).locator('.usage').innerText()).resolves.toMatch(/^\d+(\.\d)? (B|KiB) of 100 MiB \(0%\)$/);
    expect(await rows.count()).toBe(3);
  });

  it('the audit log lists every change, by whom and from where, and no password', async () => {
    await menu(bill, 'Audit log');
    const heads = await auditHeads(bill);
    for (const change of ['domain.add bill.test', 'account.create bcsales1', 'virtual-account.create info@bill.test', 'virtual-account.create sales@bill.test', 'pop-mailbox.create bob', 'alias.set team@bill.test', 'alias.set old@bill.test', 'alias.set bcsales@bill.test', 'alias.set *@bill.test']) {
      expect(heads, change).toContainEqual(expect.stringMatching(new RegExp(`^${change.replace(/[.*]/g, '\\$&')} by bill \\(panel\\)`)));
    }
    expect(heads.filter((head) => head.startsWith('mapfile.set'))).toHaveLength(1); // the refused save changed nothing
    const text = await bill.locator('main').innerText();
    for (const secret of ['bills-secret', 'sales1-secret', 'info-secret', 'bobs-secret']) expect(text).not.toContain(secret);
    await admin.goto('/audit');
    expect(await auditHeads(admin)).toContain('account.create bill by admin (panel), account bill');
  });
});
