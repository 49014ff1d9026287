import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, fillForm, flash, heading, horizontalOverflow, launchPanelBrowser, login, seedHostingCustomer, sendWithSmtplib, submit, type PanelBrowser } from '../helpers/panel-browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

/**
 * The screenshots in docs/screenshots/ and the README: `UPDATE_SCREENSHOTS=1 npx vitest run --project e2e
 * test/e2e/panel-screenshots` writes them again (desktop 1280x800 and phone 390x844, the window only). Without the
 * variable the same pages are opened and checked, and nothing is written.
 */
const UPDATE = process.env.UPDATE_SCREENSHOTS === '1';
const FOLDER = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const DOMAIN = '/accounts/bill/domains/bill.test';

interface Shot {
  name: string;
  user: 'anonymous' | 'admin' | 'bill';
  path: string;
  h1: string;
  /** Something to do on the page first (a form to send). */
  prepare?: (page: Page) => Promise<void>;
  /** The part that matters is below the fold: the whole page on a desktop, scrolled to this element on a phone. */
  focus?: string;
}

const SHOTS: Shot[] = [
  { name: 'login', user: 'anonymous', path: '/login', h1: 'Log in' },
  { name: 'dashboard-admin', user: 'admin', path: '/', h1: 'Server' },
  { name: 'dashboard-account', user: 'bill', path: '/', h1: 'bill' },
  { name: 'accounts-tree', user: 'admin', path: '/accounts', h1: 'Accounts' },
  { name: 'virtual-accounts', user: 'bill', path: '/accounts/bill/virtual-accounts', h1: 'Virtual accounts' },
  { name: 'pop-mailboxes', user: 'bill', path: '/accounts/bill/pop', h1: 'POP mailboxes' },
  { name: 'alias-manager', user: 'bill', path: `${DOMAIN}/aliases`, h1: 'Email aliases bill.test' },
  {
    name: 'map-file-error',
    user: 'bill',
    path: `${DOMAIN}/mapfile`,
    h1: 'Map file bill.test',
    prepare: async (page) => {
      const editor = page.locator('textarea');
      await editor.fill(`${await editor.inputValue()}helpdesk info@bill.test\nsales team: sales@bill.test\n`);
      await submit(page, 'Save the map file');
    },
  },
  { name: 'route-tester', user: 'bill', path: `${DOMAIN}/route?address=team%40bill.test`, h1: 'Route tester bill.test', focus: '.route-result' },
  { name: 'storage', user: 'bill', path: '/accounts/bill/storage', h1: 'Storage', focus: 'table.storage-table' },
  { name: 'audit-log', user: 'bill', path: '/audit', h1: 'Audit log' },
];

describe('screenshots of the main pages, desktop and phone', () => {
  let served: ServedPostyard;
  let browser: PanelBrowser;

  beforeAll(async () => {
    served = await servePostyard({ POSTYARD_HOSTNAME: 'mail.example.net' });
    await seedHostingCustomer(served.dataDir);
    // Some mail, so that the usage bars show something: sales@bill.test (20K limit) over half full.
    for (const [address, lines] of [['info@bill.test', 40], ['team@bill.test', 20], ['sales@bill.test', 100], ['sales@bill.test', 100], ['bob@bill.test', 30], ['bcsales@bill.test', 10]] as const) {
      expect(await sendWithSmtplib(served.smtpPort, address, `Hello ${address}`, lines)).toEqual({ accepted: true });
    }
    browser = await launchPanelBrowser(served.panelUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  for (const [screen, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    describe(`on a ${screen} (${viewport.width}x${viewport.height})`, () => {
      const sessions = new Map<Shot['user'], Page>();

      beforeAll(async () => {
        sessions.set('anonymous', await browser.session(viewport));
        const admin = await browser.session(viewport);
        await login(admin, 'admin', served.adminPassword);
        if (admin.url().endsWith('/password')) {
          await fillForm(admin, { 'Current password': served.adminPassword, 'New password': 'admins-own-secret', 'New password again': 'admins-own-secret' });
          await submit(admin, 'Change password');
        } else {
          await login(admin, 'admin', 'admins-own-secret');
        }
        sessions.set('admin', admin);
        const bill = await browser.session(viewport);
        await login(bill, 'bill', 'bills-secret');
        if (screen === 'desktop') {
          // One change made in the panel, so that the audit log shows both sources.
          await bill.goto(`${DOMAIN}/aliases/new`);
          await fillForm(bill, { 'Local part': 'spam', Discard: true });
          await submit(bill, 'Save rule');
          expect(await flash(bill)).toBe('Saved the rule spam@bill.test.');
        }
        sessions.set('bill', bill);
      });

      it.each(SHOTS)(`$name renders${UPDATE ? ' and is saved' : ''}`, async (shot) => {
        const page = sessions.get(shot.user)!;
        expect((await page.goto(shot.path))?.status()).toBe(200);
        await shot.prepare?.(page);
        expect(await heading(page)).toBe(shot.h1);
        expect(await horizontalOverflow(page)).toEqual([]);
        if (shot.focus && screen === 'phone') await page.locator(shot.focus).scrollIntoViewIfNeeded();
        if (UPDATE) {
          mkdirSync(FOLDER, { recursive: true });
          await page.screenshot({ path: `${FOLDER}${shot.name}-${screen}.png`, fullPage: Boolean(shot.focus) && screen === 'desktop' });
        }
      });
    });
  }
});
