import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const run = promisify(execFile);

/** Python's smtplib, a client no one here wrote, sending one message. */
const SEND_WITH_SMTPLIB = `
import smtplib, sys
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "alice@remote.example"
msg["To"] = sys.argv[2]
msg["Subject"] = "Hello from smtplib"
msg.set_content("Sent by Python's smtplib.")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as smtp:
    smtp.send_message(msg)
`;

describe('a new user starts Postyard, logs in, and mail lands', () => {
  let served: ServedPostyard;

  beforeAll(async () => {
    served = await servePostyard();
  });
  afterAll(async () => {
    expect(await served.stop()).toBe(0);
  });

  it('prints where it listens and the admin password once', () => {
    expect(served.output()).toMatch(/panel\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(served.output()).toMatch(/smtp\s+127\.0\.0\.1:\d+/);
    expect(served.adminPassword).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('logs the admin in with the printed password in a real browser and makes them choose their own', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(served.panelUrl);
      await page.fill('#username', 'admin');
      await page.fill('#password', served.adminPassword);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/password$/);
      await page.fill('#current', served.adminPassword);
      await page.fill('#password', 'my-own-secret');
      await page.fill('#confirm', 'my-own-secret');
      await page.click('main button[type=submit]');
      await page.waitForSelector('.flash');
      expect(await page.textContent('.flash')).toContain('Your password was changed.');
      expect(await page.textContent('h1')).toBe('Server');
    } finally {
      await browser.dispose();
    }
  });

  it('delivers a message sent with Python smtplib into the virtual account made on the command line', async () => {
    const cli = (...args: string[]) => run(process.execPath, ['bin/postyard', ...args], { env: { ...process.env, POSTYARD_DATA_DIR: served.dataDir } });
    await cli('account', 'add', 'bill', '--password', 'bills-secret');
    await cli('domain', 'add', 'bill.test', '--account', 'bill');
    await cli('vadduser', 'info@bill.test', 'infos-secret');
    await run('python3', ['-c', SEND_WITH_SMTPLIB, String(served.smtpPort), 'Info@Bill.test']);
    const inbox = join(served.dataDir, 'homes/bill/.mailboxes/info@bill.test/new');
    const files = readdirSync(inbox);
    expect(files).toHaveLength(1);
    const message = readFileSync(join(inbox, files[0]!), 'utf8');
    expect(message).toMatch(/^Return-Path: <alice@remote\.example>\nDelivered-To: info@bill\.test\nReceived: from /);
    expect(message).toContain('Subject: Hello from smtplib');
  });
});
