import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlsOffScreen, field, fieldError, fillForm, flash, follow, heading, horizontalOverflow, launchPanelBrowser, login, PHONE } from '../helpers/panel-browser.js';
import { postyard, routeResult, seedHostingCustomer, sendWithSmtplib, submit, type PanelBrowser } from '../helpers/panel-browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const LONG_LOCAL = 'a-rather-long-local-part-that-a-customer-might-really-type-here';
const BILL = '/accounts/bill';
const DOMAIN = `${BILL}/domains/bill.test`;

/** Each page a role opens, as its URL; every one must fit a phone's width with every control reachable. */
const PAGES = {
  anonymous: ['/login'],
  admin: ['/', '/accounts', BILL, `${BILL}/plan`, `${BILL}/delete`, `${BILL}/virtual-accounts`, '/relay', '/queue', '/server', '/audit', '/password'],
  bill: [
    '/', '/accounts', BILL, '/accounts/bcsales1', `${BILL}/domains`, `${BILL}/virtual-accounts`, `${BILL}/virtual-accounts/new`,
    `${BILL}/virtual-accounts/info%40bill.test/edit`, `${BILL}/virtual-accounts/info%40bill.test/password`, `${BILL}/pop`, `${BILL}/pop/new`,
    `${BILL}/storage`, `${DOMAIN}/aliases`, `${DOMAIN}/aliases/new`, `${DOMAIN}/aliases/team/edit`,
    `${DOMAIN}/mapfile`, `${DOMAIN}/route?address=team%40bill.test`, `${DOMAIN}/route?address=old%40bill.test`, `${DOMAIN}/delete`,
    `${BILL}/mail-settings/info%40bill.test`, '/audit',
  ],
  'info@bill.test': ['/', '/mailbox', '/password'],
};
const PASSWORDS: Record<string, string> = { admin: 'admins-own-secret', bill: 'bills-secret', 'info@bill.test': 'info-secret' };

/** What must hold on every page on a phone: no sideways scrolling, every control on screen, a title. */
async function expectFitsPhone(page: Page) {
  expect(await horizontalOverflow(page), page.url()).toEqual([]);
  expect(await controlsOffScreen(page), page.url()).toEqual([]);
  expect(await heading(page)).not.toBe('');
}

describe('the panel on a phone-sized window (390x844)', () => {
  let served: ServedPostyard;
  let browser: PanelBrowser;
  const sessions = new Map<string, Page>();

  beforeAll(async () => {
    served = await servePostyard();
    await seedHostingCustomer(served.dataDir);
    // What users type can be long: it must wrap, not widen the page.
    await postyard(served.dataDir, 'vadduser', '-c', 'Someone with a rather long display name, Esq.', `${LONG_LOCAL}@bill.test`, 'long-secret');
    await postyard(served.dataDir, 'alias', 'set', 'everyone@bill.test', `info@bill.test,sales@bill.test,${LONG_LOCAL}@bill.test,someone.else@a-long-domain-name.example`);
    await sendWithSmtplib(served.smtpPort, 'team@bill.test', 'Queued for boss');
    browser = await launchPanelBrowser(served.panelUrl);
    const admin = await browser.session(PHONE);
    await login(admin, 'admin', served.adminPassword);
    await expectFitsPhone(admin); // the forced password change, on a phone
    await fillForm(admin, { 'Current password': served.adminPassword, 'New password': PASSWORDS.admin!, 'New password again': PASSWORDS.admin! });
    await submit(admin, 'Change password');
    expect(await flash(admin)).toBe('Your password was changed.');
    sessions.set('admin', admin);
    for (const user of ['bill', 'info@bill.test']) {
      const page = await browser.session(PHONE);
      await login(page, user, PASSWORDS[user]!);
      sessions.set(user, page);
    }
    sessions.set('anonymous', await browser.session(PHONE));
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  const cases = Object.entries(PAGES).flatMap(([user, paths]) => paths.map((path) => [user, path] as const));
  it.each(cases)('as %s, %s fits the width of the phone', async (user, path) => {
    const page = sessions.get(user)!;
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    expect(page.viewportSize()).toEqual(PHONE);
    await expectFitsPhone(page);
  });

  it('the menu of every role wraps onto the screen, every link visible', async () => {
    for (const [user, page] of sessions) {
      if (user === 'anonymous') continue;
      await page.goto('/');
      const links = page.locator('nav.menu a, header a, header button');
      for (const link of await links.all()) expect(await link.isVisible(), `${user}: ${await link.innerText()}`).toBe(true);
    }
  });

  it('bill adds a domain, a virtual account (after fixing a typo shown beside its field), a rule, and tests the route, all on the phone', async () => {
    const bill = sessions.get('bill')!;
    await bill.goto('/');
    await follow(bill, 'Domains', bill.locator('nav.menu'));
    await fillForm(bill, { 'Domain name': 'phone.test' });
    await submit(bill, 'Add domain');
    expect(await flash(bill)).toBe('phone.test is now hosted on bill.');
    await expectFitsPhone(bill);

    await follow(bill, 'Virtual accounts', bill.locator('nav.menu'));
    await follow(bill, 'New virtual account');
    await fillForm(bill, { 'Email address': 'pocket', Password: 'pocket-secret', 'Password again': 'pocket-secret', 'Display name': 'Pocket', Quota: 'fifty megs' });
    await bill.getByRole('combobox', { name: 'Domain', exact: true }).selectOption('phone.test');
    await submit(bill, 'Create virtual account');
    expect(await fieldError(bill, 'Quota')).toMatch(/\S/);
    await expect(bill.locator('#f-quota-error').isVisible()).resolves.toBe(true);
    await expectFitsPhone(bill);
    const kept = { 'Email address': 'pocket', 'Display name': 'Pocket', Quota: 'fifty megs' };
    for (const [label, value] of Object.entries(kept)) expect(await (await field(bill, label)).inputValue(), label).toBe(value);
    expect(await bill.getByRole('combobox', { name: 'Domain', exact: true }).inputValue()).toBe('phone.test');
    await fillForm(bill, { Quota: '50M', Password: 'pocket-secret', 'Password again': 'pocket-secret' });
    await submit(bill, 'Create virtual account');
    expect(await flash(bill)).toBe('Created the virtual account pocket@phone.test.');
    await expectFitsPhone(bill);

    await bill.goto(`${BILL}/domains/phone.test/aliases`);
    await follow(bill, 'Add a rule');
    await fillForm(bill, { 'Local part': 'hello', 'Forward To': true, Addresses: 'pocket@phone.test' });
    await submit(bill, 'Save rule');
    expect(await flash(bill)).toBe('Saved the rule hello@phone.test.');
    await expectFitsPhone(bill);

    await follow(bill, 'Route tester', bill.locator('nav.tabs'));
    await fillForm(bill, { 'Recipient address': 'hello@phone.test' });
    await submit(bill, 'Check the route');
    expect((await routeResult(bill)).folders).toEqual(['homes/bill/.mailboxes/pocket@phone.test']);
    await expectFitsPhone(bill);
  });
});
