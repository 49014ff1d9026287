import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Small helpers for clicking through the panel in a real browser as a user would: by the labels, link and button texts
 * the pages show rather than by ids or posted field names. One Chromium, one fresh context (cookie jar) per user.
 */

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export interface PanelBrowser {
  /** A new window with its own cookies, on a desktop or (touch, mobile viewport meta honoured) phone screen. */
  session(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless and off the network, as test/helpers/browser.ts starts it, but with separate contexts. */
export async function launchPanelBrowser(panelUrl: string): Promise<PanelBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const contexts: BrowserContext[] = [];
  return {
    async session(viewport = DESKTOP) {
      const phone = viewport.width < 600;
      const context = await browser.newContext({ baseURL: panelUrl, viewport, isMobile: phone, hasTouch: phone, deviceScaleFactor: 1 });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The input a label names: its own text, before any "(hint)". A label wrapping its input (checkbox, radio) names that
 * input; otherwise its `for` does. Fails when no label, or more than one, reads so.
 */
export async function field(scope: Page | Locator, label: string): Promise<Locator> {
  const matching = scope.locator('label').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*(\\(|$)`) });
  const count = await matching.count();
  if (count !== 1) throw new Error(`expected one label "${label}", found ${count}`);
  const forId = await matching.getAttribute('for');
  if (forId) return scope.locator(`[id="${forId}"]`);
  return matching.locator('input');
}

/** Fills a form by its labels: text into inputs and textareas, an option's label into a select, true/false for boxes. */
export async function fillForm(scope: Page | Locator, values: Record<string, string | boolean>): Promise<void> {
  for (const [label, value] of Object.entries(values)) {
    const input = await field(scope, label);
    if (typeof value === 'boolean') await input.setChecked(value);
    else if ((await input.evaluate((element) => element.tagName)) === 'SELECT') await input.selectOption({ label: value });
    else await input.fill(value);
  }
}

/** Clicks the button (or link) with this text and waits for the page it leads to. */
export async function submit(page: Page, name: string | RegExp, within: Page | Locator = page.locator('main')): Promise<void> {
  const control = within.getByRole('button', { name, exact: typeof name === 'string' }).or(within.getByRole('link', { name, exact: typeof name === 'string' }));
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), control.first().click()]);
}

/** Follows a link by its text, as a user clicks it. */
export async function follow(page: Page, name: string | RegExp, within: Page | Locator = page): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), within.getByRole('link', { name, exact: typeof name === 'string' }).first().click()]);
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await fillForm(page, { 'Username or email address': username, Password: password });
  await submit(page, 'Log in');
}

export async function logout(page: Page): Promise<void> {
  await submit(page, 'Log out', page.locator('header'));
}

/** What the page says at the top after a change ("Created the …"), or null. */
export async function flash(page: Page): Promise<string | null> {
  const message = page.locator('.flash');
  return (await message.count()) > 0 ? (await message.innerText()).trim() : null;
}

/** Every error the page shows: the form's alerts and the messages beside fields, in page order. */
export async function errors(page: Page): Promise<string[]> {
  return (await page.locator('main .error, main .field-error').allInnerTexts()).map((text) => text.trim());
}

/** The message shown beside the input a label names. */
export async function fieldError(page: Page, label: string): Promise<string | null> {
  const input = await field(page, label);
  const describedBy = await input.getAttribute('aria-describedby');
  return describedBy ? (await page.locator(`[id="${describedBy}"]`).innerText()).trim() : null;
}

export const heading = async (page: Page) => (await page.locator('main h1').first().innerText()).trim();

/** The row of the Email Alias Manager's table for a local part ("*" for the wildcard rule). */
export const ruleRow = (page: Page, localPart: string) =>
  page.locator('table.rules tbody tr').filter({ has: page.locator('td:first-child code').getByText(localPart, { exact: true }) });

/** Each audit entry's first line as read: "action object by who (where), account …", without the time. */
export async function auditHeads(page: Page): Promise<string[]> {
  const heads = await page.locator('ol.audit > li .audit-head').allInnerTexts();
  return heads.map((head) => head.replace(/^\S+ \S+ UTC\s+/, '').replace(/\s+/g, ' ').trim());
}

/** What the route tester shows after "Check the route": the deciding steps, then the folders, the queue, or the refusal. */
export interface RouteResult {
  steps: string[];
  folders: string[];
  queuedFor: string[];
  refusal: string | null;
}

export async function routeResult(page: Page): Promise<RouteResult> {
  const result = page.locator('.route-result');
  const destinations = await result.locator('.destinations li').allInnerTexts();
  const refused = result.locator('.verdict.refused code');
  return {
    steps: await result.locator('.steps li').allInnerTexts(),
    folders: destinations.filter((text) => text.includes('in the data folder')).map((text) => text.split(' (')[0]!),
    queuedFor: destinations.filter((text) => text.startsWith('the outbound relay queue, for ')).map((text) => text.slice('the outbound relay queue, for '.length)),
    refusal: (await refused.count()) > 0 ? await refused.innerText() : null,
  };
}

/**
 * Elements sticking out to the right of the window: empty when the page fits its width (no sideways scrolling). The
 * width is the layout viewport's (documentElement.clientWidth): on a mobile screen Chromium zooms out to fit a page
 * that is too wide, and window.innerWidth grows with it, so comparing against innerWidth would never fail there.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const culprits: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const box = element.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) culprits.push(`${element.tagName.toLowerCase()}.${element.className} (right edge ${Math.round(box.right)}px)`);
    }
    return [`scrollWidth ${document.documentElement.scrollWidth} > width ${width}`, ...culprits.slice(0, 8)];
  });
}

/** Links, buttons and form controls reaching past either side of the window: a user could not see or tap them whole. */
export async function controlsOffScreen(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const controls = Array.from(document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea'));
    return controls
      .filter((control) => {
        const box = control.getBoundingClientRect();
        return box.width > 1 && (box.left < -1 || box.right > width + 1);
      })
      .map((control) => `${control.tagName.toLowerCase()} "${(control.textContent || control.getAttribute('name') || '').trim().slice(0, 40)}"`);
  });
}

/** Python's smtplib, a client no one here wrote: one message to one recipient, and what the server answered. */
const SEND_ONE = `
import json, smtplib, sys
from email.message import EmailMessage
port, rcpt, subject, lines = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
msg = EmailMessage()
msg["From"] = "alice@remote.example"
msg["To"] = rcpt
msg["Subject"] = subject
msg.set_content("Sent by Python's smtplib to see where it lands.\\n" + "A line of text to make the message as big as wanted.\\n" * lines)
try:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(msg, to_addrs=[rcpt])
    print(json.dumps({"accepted": True}))
except smtplib.SMTPRecipientsRefused as refused:
    code, text = refused.recipients[rcpt]
    print(json.dumps({"accepted": False, "reply": f"{code} {text.decode()}"}))
`;

/** The `postyard` command line on a running server's data folder, as an administrator types it; fails on a non-zero exit. */
export async function postyard(dataDir: string, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH ?? '', POSTYARD_DATA_DIR: dataDir, POSTYARD_HOSTNAME: 'mx.e2e.test', POSTYARD_LOG_LEVEL: 'silent' };
  return (await promisify(execFile)(process.execPath, ['bin/postyard', ...args], { env })).stdout;
}

/**
 * Seeds 000, 001 and 003 already done (the flow test does them in the panel): bill with a plan, two child accounts,
 * bill.test with two virtual accounts, the POP mailbox bob, rules and the domain closed; and a second parent, carol.
 */
export async function seedHostingCustomer(dataDir: string): Promise<void> {
  const commands = [
    ['account', 'add', 'bill', '--password', 'bills-secret', '--quota', '1G', '--mailbox-quota', '100M', '--max-children', '5', '--pop-packs', '1'],
    ['account', 'add', 'bcsales1', '--parent', 'bill', '--password', 'sales1-secret', '--quota', '200M'],
    ['account', 'add', 'bcsales2', '--parent', 'bill', '--password', 'sales2-secret', '--quota', '200M'],
    ['account', 'add', 'carol', '--password', 'carols-secret', '--quota', '2G'],
    ['domain', 'add', 'bill.test', '--account', 'bill'],
    ['domain', 'add', 'carol.test', '--account', 'carol'],
    ['vadduser', '-q', '50M', '-c', 'Info desk', 'info@bill.test', 'info-secret'],
    ['vadduser', '-q', '20K', '-c', 'Sales team', 'sales@bill.test', 'sales-secret'],
    ['pop', 'add', 'bob', '--account', 'bill', '--domain', 'bill.test', '--name', 'Bob Smith', '--password', 'bobs-secret'],
    ['alias', 'set', 'team@bill.test', 'info@bill.test,boss@elsewhere.example'],
    ['alias', 'set', 'old@bill.test', 'fail: This address is no longer in use'],
    ['alias', 'set', 'bcsales@bill.test', 'bcsales1'],
    ['alias', 'set', '*@bill.test', 'fail: No such email address'],
  ];
  for (const args of commands) await postyard(dataDir, ...args);
}

export type SmtpOutcome = { accepted: true } | { accepted: false; reply: string };

/** Sends one message; `lines` more lines of text (53 bytes each) make it bigger. */
export async function sendWithSmtplib(port: number, recipient: string, subject: string, lines = 0): Promise<SmtpOutcome> {
  const { stdout } = await promisify(execFile)('python3', ['-c', SEND_ONE, String(port), recipient, subject, String(lines)]);
  return JSON.parse(stdout) as SmtpOutcome;
}

/** Every Maildir under the data folder (relative paths, like the route tester shows) holding a message with this subject. */
export function foldersHolding(dataDir: string, subject: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (!statSync(path).isDirectory()) continue;
      if (name === 'new' || name === 'cur') {
        const hit = readdirSync(path).some((file) => readFileSync(join(path, file), 'utf8').includes(`\nSubject: ${subject}\n`));
        if (hit && !found.includes(relative(dataDir, folder))) found.push(relative(dataDir, folder));
      } else if (name !== 'tmp') walk(path);
    }
  };
  for (const top of ['homes', 'postmaster']) if (existsSync(join(dataDir, top))) walk(join(dataDir, top));
  return found.sort();
}
