import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { field, fieldError, fillForm, flash, follow, heading, launchPanelBrowser, login, ruleRow, seedHostingCustomer, submit, type PanelBrowser } from '../helpers/panel-browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const DOMAIN = '/accounts/bill/domains/bill.test';
const value = async (page: Page, label: string) => (await field(page, label)).inputValue();

describe('the panel\'s forms as a new user meets them: empty states, refusals beside the field, confirmations', () => {
  let served: ServedPostyard;
  let browser: PanelBrowser;
  let admin: Page, bill: Page, carol: Page;

  beforeAll(async () => {
    served = await servePostyard();
    await seedHostingCustomer(served.dataDir);
    browser = await launchPanelBrowser(served.panelUrl);
    [admin, bill, carol] = [await browser.session(), await browser.session(), await browser.session()];
    await login(admin, 'admin', served.adminPassword);
    await fillForm(admin, { 'Current password': served.adminPassword, 'New password': 'admins-own-secret', 'New password again': 'admins-own-secret' });
    await submit(admin, 'Change password');
    await login(bill, 'bill', 'bills-secret');
    await login(carol, 'carol', 'carols-secret');
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('every list of a new account says it is empty and what to do', async () => {
    const empty = async (path: string) => (await carol.goto(path), (await carol.locator('main .empty').allInnerTexts()).join(' '));
    expect(await empty('/accounts/carol/virtual-accounts')).toContain('No virtual accounts yet.');
    expect(await empty('/accounts/carol/pop')).toContain('No POP mailboxes yet.');
    expect(await empty('/accounts/carol/storage')).toContain('No virtual accounts or POP mailboxes yet.');
    expect(await empty('/accounts/carol/domains/carol.test/aliases')).toContain('No rules yet: mail for any address without a virtual account goes to the mailbox of carol.');
    expect(await empty('/accounts')).toContain('No child accounts yet.');
    expect(await empty('/')).toContain('No virtual accounts or POP mailboxes yet.');
  });

  it('a refusal shows beside its field, with what was typed kept', async () => {
    await bill.goto('/accounts/bill/domains');
    await fillForm(bill, { 'Domain name': 'carol.test' });
    await submit(bill, 'Add domain');
    expect([await fieldError(bill, 'Domain name'), await value(bill, 'Domain name')]).toEqual(['is already hosted on this server', 'carol.test']);

    await bill.goto('/accounts/bill/pop/new');
    await fillForm(bill, { Username: 'bcsales1', 'Domain for the default alias': 'bill.test', 'Real name': 'Second Bob', Password: 'bobs-secret', 'Password again': 'bobs-secret' });
    await submit(bill, 'Create POP mailbox');
    expect(await fieldError(bill, 'Username')).toContain('already in use on this server');
    expect([await value(bill, 'Username'), await value(bill, 'Domain for the default alias'), await value(bill, 'Real name')]).toEqual(['bcsales1', 'bill.test', 'Second Bob']);

    await bill.goto(`${DOMAIN}/aliases/new`);
    await fillForm(bill, { 'Local part': 'crew', 'Forward To': true, Addresses: 'info@bill.test, not-an-address' });
    await submit(bill, 'Save rule');
    expect(await fieldError(bill, 'Addresses')).toBe('"not-an-address" is not an address like name@example.com');
    expect([await value(bill, 'Local part'), await value(bill, 'Addresses')]).toEqual(['crew', 'info@bill.test, not-an-address']);
    expect(await (await field(bill, 'Forward To')).isChecked()).toBe(true);

    await bill.goto('/accounts');
    await fillForm(bill, { Username: 'bob', Password: 'whatever-secret', 'Disk quota': '100M' });
    await submit(bill, 'Create account');
    expect(await fieldError(bill, 'Username')).toMatch(/already/);
    expect([await value(bill, 'Username'), await value(bill, 'Disk quota')]).toEqual(['bob', '100M']);

    await bill.goto(`${DOMAIN}/route`);
    await fillForm(bill, { 'Recipient address': 'info@bill.test', 'Client IP address': 'not-an-ip' });
    await submit(bill, 'Check the route');
    expect(await fieldError(bill, 'Client IP address')).toBe('must be an IP address like 192.0.2.7 or 2001:db8::7');
    expect(await value(bill, 'Recipient address')).toBe('info@bill.test');
  });

  // Guards a fixed bug: the child form's hint said "blank for no limit", which a parent with a disk quota cannot give.
  it('tells a parent with a disk quota that each child needs one within it, and refuses a blank one beside the field', async () => {
    await bill.goto('/accounts');
    const hint = await bill.locator('label', { hasText: 'Disk quota' }).locator('small').innerText();
    expect(hint).toBe('(required: at most 1.0 GiB, your own disk quota)');
    await fillForm(bill, { Username: 'bcsales3', Password: 'sales3-secret', 'Disk quota': '' });
    await submit(bill, 'Create account');
    expect(await fieldError(bill, 'Disk quota')).toMatch(/at most 1\.0 GiB/);
    expect(await value(bill, 'Username')).toBe('bcsales3');
  });

  it('editing shows the saved values, and saving changes only what was changed', async () => {
    await bill.goto(`${DOMAIN}/aliases/team/edit`);
    expect(await value(bill, 'Addresses')).toBe('info@bill.test\nboss@elsewhere.example');
    await submit(bill, 'Save rule');
    expect(await ruleRow(bill, 'team').locator('td').nth(2).innerText()).toBe('info@bill.test, boss@elsewhere.example');

    await admin.goto('/accounts/bill/plan');
    const plan = ['Disk quota', 'Default mailbox quota', 'Child accounts allowed', 'POP mailbox packs'];
    expect(await Promise.all(plan.map((label) => value(admin, label)))).toEqual(['1G', '100M', '5', '1']);
    await fillForm(admin, { 'POP mailbox packs': '2' });
    await submit(admin, 'Save plan');
    expect(await flash(admin)).toBe('Saved the plan of bill.');
    await expect(admin.locator('dl.facts').innerText()).resolves.toMatch(/Disk quota\s+1\.0 GiB\s+Default mailbox quota\s+100 MiB\s+Child accounts allowed\s+5\s+POP mailboxes allowed\s+20 \(2 pack\(s\) of 10\)/);

    await bill.goto('/accounts/bill/storage');
    const info = bill.locator('table.storage-table tbody tr', { hasText: 'info@bill.test' });
    await info.getByRole('textbox').fill('40M');
    await info.getByRole('checkbox', { name: 'Notify' }).uncheck();
    await submit(bill, 'Save changes');
    expect(await flash(bill)).toBe('Saved the limits of 1 mailbox(es).');
    expect([await info.getByRole('textbox').inputValue(), await info.getByRole('checkbox').isChecked()]).toEqual(['40M', false]);
    await expect(info.locator('.usage').innerText()).resolves.toMatch(/of 40 MiB/);
  });

  it('destructive actions ask first and say what goes with them; Cancel changes nothing', async () => {
    await bill.goto('/accounts/bill/pop');
    await follow(bill, 'Delete', bill.locator('tr', { hasText: 'bob' }));
    expect(await heading(bill)).toBe('Delete the POP mailbox bob?');
    await expect(bill.locator('.confirm ul').innerText()).resolves.toContain('its default alias bob@bill.test');
    await follow(bill, 'Cancel');
    expect(await bill.locator('table.mailbox-table tbody tr').count()).toBe(1);

    await bill.goto('/accounts/bill/domains');
    await follow(bill, 'Remove', bill.locator('.domain-list li', { hasText: 'bill.test' }));
    const goes = await bill.locator('.confirm ul').innerText();
    expect(goes).toContain('the virtual account info@bill.test and all its mail');
    expect(goes).toContain('the default alias bob@bill.test of POP mailbox bob (the mailbox itself stays)');
    await follow(bill, 'Cancel');
    await expect(bill.locator('.domain-list').innerText()).resolves.toContain('bill.test');

    await bill.goto(`${DOMAIN}/aliases`);
    await follow(bill, 'Delete', ruleRow(bill, 'old'));
    expect(await heading(bill)).toBe('Delete the rule for old@bill.test?');
    await submit(bill, 'Delete the rule');
    expect(await flash(bill)).toBe('Deleted the rule old@bill.test.');
    expect(await ruleRow(bill, 'old').count()).toBe(0);

    await admin.goto('/accounts/carol');
    await follow(admin, 'Remove account…');
    await expect(admin.locator('.confirm').innerText()).resolves.toMatch(/Remove the account carol\?[\s\S]*carol\.test/);
    await submit(admin, 'Remove carol');
    expect(await flash(admin)).toBe('Removed the account carol.');
    await expect(carol.goto('/').then(() => heading(carol))).resolves.toBe('Log in');
  });
});
