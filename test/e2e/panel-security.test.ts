import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHeads, errors, fillForm, flash, follow, heading, launchPanelBrowser, login, ruleRow, seedHostingCustomer, submit, type PanelBrowser } from '../helpers/panel-browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const SCRIPT = '<script>alert("xss")</script>';
const IMG = '<img src=x onerror=alert("xss")>';
const NOT_YOURS = 'There is no such page, or it is not yours to see.';

/** Bill's pages, and one of bcsales2 (bcsales1's sibling): a child reaches none of them by typing the URL. */
const OTHERS_PAGES = [
  '/accounts/bill', '/accounts/bill/domains', '/accounts/bill/virtual-accounts', '/accounts/bill/virtual-accounts/new',
  '/accounts/bill/virtual-accounts/info%40bill.test/edit', '/accounts/bill/virtual-accounts/info%40bill.test/password', '/accounts/bill/pop',
  '/accounts/bill/pop/bob/edit', '/accounts/bill/storage', '/accounts/bill/plan', '/accounts/bill/domains/bill.test/aliases',
  '/accounts/bill/domains/bill.test/mapfile', '/accounts/bill/domains/bill.test/route?address=info%40bill.test',
  '/accounts/bill/mail-settings/info%40bill.test', '/accounts/bcsales1/domains/bill.test/aliases', '/accounts/bcsales2', '/accounts/bcsales2/domains',
];

describe('in the browser, a child account stays out of its parent\'s pages, and what users type shows as text', () => {
  let served: ServedPostyard;
  let browser: PanelBrowser;
  let bill: Page, child: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    served = await servePostyard();
    await seedHostingCustomer(served.dataDir);
    browser = await launchPanelBrowser(served.panelUrl);
    [bill, child] = [await browser.session(), await browser.session()];
    for (const page of [bill, child]) page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    await login(bill, 'bill', 'bills-secret');
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('bill sets a new password for the child account bcsales1, which then logs in with it', async () => {
    await follow(bill, 'Child accounts', bill.locator('nav.menu'));
    await follow(bill, 'bcsales1', bill.locator('.account-tree'));
    await follow(bill, 'Set a new password');
    await fillForm(bill, { 'New password': 'bcsales1-new', 'New password again': 'bcsales1-new' });
    await submit(bill, 'Set password');
    expect(await flash(bill)).toBe('Set a new password for bcsales1.');
    await login(child, 'bcsales1', 'sales1-secret');
    expect(await errors(child)).toEqual(['Wrong username or password.']);
    await login(child, 'bcsales1', 'bcsales1-new');
    expect(await heading(child)).toBe('bcsales1');
    expect(await child.locator('nav.menu a').allInnerTexts()).toEqual(['Dashboard', 'Domains', 'Virtual accounts', 'POP mailboxes', 'Storage', 'Audit log']);
  });

  it.each(OTHERS_PAGES)('bcsales1 typing %s gets "Not found"', async (path) => {
    const response = await child.goto(path);
    expect(response?.status()).toBe(404);
    expect(await heading(child)).toBe('Not found');
    await expect(child.locator('main').innerText()).resolves.toContain(NOT_YOURS);
    await expect(child.locator('main').innerText()).resolves.not.toMatch(/info@bill\.test|bob|bcsales2@/);
  });

  it.each(['/accounts', '/relay', '/queue', '/server'])('bcsales1 opening %s is told its login cannot', async (path) => {
    const response = await child.goto(path);
    expect(response?.status()).toBe(403);
    expect(await heading(child)).toBe('Not allowed');
  });

  it('bcsales1\'s audit log shows none of bill\'s changes', async () => {
    await child.goto('/audit');
    const heads = await auditHeads(child);
    expect(heads.length).toBeGreaterThan(0);
    for (const head of heads) expect(head).toMatch(/, account bcsales1$/);
  });

  it('a mailbox user (info@bill.test) gets only its own mail tools', async () => {
    const mailbox = await browser.session();
    await login(mailbox, 'info@bill.test', 'info-secret');
    expect(await heading(mailbox)).toBe('Info desk');
    expect(await mailbox.locator('nav.menu a').allInnerTexts()).toEqual(['Dashboard', 'Mail settings', 'Webmail']);
    for (const path of ['/accounts/bill/virtual-accounts', '/accounts/bill/domains/bill.test/aliases', '/audit', '/accounts']) {
      expect((await mailbox.goto(path))?.status(), path).toBe(403);
    }
    expect((await mailbox.goto('/accounts/bill/mail-settings/sales%40bill.test'))?.status()).toBe(404);
    await mailbox.goto('/mailbox');
    expect(await heading(mailbox)).toBe('Mail settings info@bill.test');
  });

  it('a display name with a <script> shows as text: no dialog, no element', async () => {
    await bill.goto('/accounts/bill/virtual-accounts/new');
    await fillForm(bill, { 'Email address': 'xss', Password: 'xss-secret', 'Password again': 'xss-secret', 'Display name': SCRIPT });
    await submit(bill, 'Create virtual account');
    expect(await flash(bill)).toBe('Created the virtual account xss@bill.test.');
    const row = bill.locator('table.mailbox-table tbody tr', { hasText: 'xss@bill.test' });
    expect(await row.locator('td').nth(1).innerText()).toBe(SCRIPT);
    await bill.goto('/');
    await bill.goto('/accounts/bill/storage');
    await bill.goto('/accounts/bill/virtual-accounts/xss%40bill.test/edit');
    expect(await bill.locator('#f-displayName').inputValue()).toBe(SCRIPT);
    await bill.goto('/audit');
    await expect(bill.locator('main').innerText()).resolves.toContain(SCRIPT);
    expect(await bill.locator('body script, body img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('markup in a rule\'s message, a search, the route tester and a login name shows as text', async () => {
    await bill.goto('/accounts/bill/domains/bill.test/aliases/new');
    await fillForm(bill, { 'Local part': 'gone', Fail: true, 'Message for the sender': IMG });
    await submit(bill, 'Save rule');
    expect(await flash(bill)).toBe('Saved the rule gone@bill.test.');
    expect(await ruleRow(bill, 'gone').locator('td').nth(2).innerText()).toBe(IMG);
    await bill.goto(`/accounts/bill/domains/bill.test/mapfile`);
    await expect(bill.locator('textarea').inputValue()).resolves.toContain(`gone: fail: ${IMG}`);
    await bill.goto(`/accounts/bill/virtual-accounts?q=${encodeURIComponent(SCRIPT)}`);
    await expect(bill.locator('main p.hint').innerText()).resolves.toBe(`1 virtual account matching “${SCRIPT}”`);
    await bill.goto(`/accounts/bill/domains/bill.test/route?address=${encodeURIComponent(`${SCRIPT}@bill.test`)}`);
    await expect(bill.locator('.route-result').innerText()).resolves.toContain(`553 5.1.3 <${SCRIPT}@bill.test>: malformed address`);
    expect(await bill.locator('body script, body img').count()).toBe(0);
    const anonymous = await browser.session();
    anonymous.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    await login(anonymous, `"><script>alert(1)</script>`, 'wrong-password');
    expect(await errors(anonymous)).toEqual(['Wrong username or password.']);
    expect(await anonymous.locator('#username').inputValue()).toBe(`"><script>alert(1)</script>`);
    expect(await anonymous.locator('body script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
