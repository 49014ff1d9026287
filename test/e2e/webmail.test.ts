import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const run = promisify(execFile);

/**
 * Python's smtplib sending a multipart/alternative message whose HTML part tries every way of running script and of
 * loading something from another server (here a local HTTP server that counts what reaches it), with an attachment.
 */
const SEND_HOSTILE_MAIL = `
import smtplib, sys
from email.message import EmailMessage
port, to, beacon = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = EmailMessage()
msg["From"] = "Mallory <mallory@remote.example>"
msg["To"] = to
msg["Subject"] = "Quarterly <b>figures</b>"
msg.set_content("Plain text version: the figures are attached.\\nSecond line of text.")
msg.add_alternative(f"""<html><head><title>HTML title</title>
<script>document.title = "pwned-by-script"; window.pwned = 1; parent.postMessage("pwned", "*"); alert("script ran");</script>
<link rel="stylesheet" href="{beacon}/style.css"><meta http-equiv="refresh" content="0;url={beacon}/refresh"></head>
<body onload="alert('onload ran')">
<p>Hello from the HTML part.</p>
<img src="x" onerror="alert('onerror ran'); document.title = 'pwned-by-onerror'">
<img src="{beacon}/pixel.gif" alt="tracking pixel">
<a id="js-link" href="javascript:alert('link ran')">Click me</a>
<svg onload="alert('svg ran')"><circle r="5"/></svg>
<iframe src="{beacon}/frame"></iframe>
<form action="{beacon}/steal"><input name="password" value="secret"><button>Send</button></form>
<p style="background: url({beacon}/background.png)">Styled paragraph.</p>
</body></html>""", subtype="html")
msg.add_attachment(b"%PDF-1.4 figures\\n" + bytes(range(256)), maintype="application", subtype="pdf", filename="figures.pdf")
with smtplib.SMTP("127.0.0.1", port) as smtp:
    smtp.send_message(msg)
`;

describe('webmail in a real browser: a message that tries to run script runs nothing', () => {
  let served: ServedPostyard;
  let beacon: Server;
  const beaconHits: string[] = [];

  beforeAll(async () => {
    beacon = createServer((request, response) => {
      beaconHits.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
    served = await servePostyard();
    const cli = (...args: string[]) => run(process.execPath, ['bin/postyard', ...args], { env: { ...process.env, POSTYARD_DATA_DIR: served.dataDir } });
    await cli('account', 'add', 'bill', '--password', 'bills-secret');
    await cli('domain', 'add', 'bill.test', '--account', 'bill');
    await cli('vadduser', 'info@bill.test', 'infos-secret');
    const beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
    await run('python3', ['-c', SEND_HOSTILE_MAIL, String(served.smtpPort), 'info@bill.test', beaconUrl]);
  });
  afterAll(async () => {
    expect(await served.stop()).toBe(0);
    await new Promise((resolve) => beacon.close(resolve));
  });

  it('logs in as the virtual account, opens the message, shows its text, and nothing in it executes or loads', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      // Runs in every document the browser creates (not subject to the page's CSP): records what a message might post.
      await page.addInitScript(() => {
        const seen: unknown[] = [];
        Object.assign(window, { postedMessages: seen });
        window.addEventListener('message', (event) => seen.push(event.data));
      });

      await page.goto(served.panelUrl);
      await page.fill('#username', 'info@bill.test');
      await page.fill('#password', 'infos-secret');
      await page.click('button[type=submit]');
      await page.waitForURL((url) => url.pathname === '/');
      await page.click('nav.menu a[href="/webmail"]');
      await page.waitForURL(/\/webmail$/);
      expect(await page.textContent('h1')).toContain('Inbox');
      const row = page.locator('table.webmail-list tbody tr');
      expect(await row.count()).toBe(1);
      expect(await row.getAttribute('class')).toBe('unread');
      expect(await row.locator('td[data-label=From]').textContent()).toBe('Mallory');
      // The subject's markup is shown as text, not applied.
      await row.getByRole('link', { name: 'Quarterly <b>figures</b>' }).click();
      await page.waitForURL(/\/webmail\/messages\/[^/]+$/);

      const frameElement = page.locator('iframe.message-html');
      await frameElement.waitFor();
      expect(await frameElement.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
      const frame = page.frameLocator('iframe.message-html');
      await frame.getByText('Hello from the HTML part.').waitFor({ state: 'visible' });
      expect(await frame.getByText('Styled paragraph.').isVisible()).toBe(true);
      expect(await page.textContent('.notice')).toContain('1 image from other servers was not loaded');
      await frame.getByText('Click me').click();
      await page.waitForLoadState('networkidle');

      expect(dialogs).toEqual([]);
      expect(await page.evaluate(() => document.title)).toBe('Quarterly <b>figures</b> · Postyard');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.evaluate(() => (window as unknown as { postedMessages: unknown[] }).postedMessages)).toEqual([]);
      // The frame's own document kept its title too, and holds nothing that could run.
      expect(await frame.locator('title').textContent()).toBe('Message');
      expect(await frame.locator('script, iframe, form, input, svg, [onerror], [onload], [style], a[href^="javascript"]').count()).toBe(0);
      expect(beaconHits).toEqual([]);

      // The same message as plain text: escaped, line breaks kept.
      await page.getByRole('link', { name: 'Show as plain text' }).click();
      await page.waitForURL(/\?view=text$/);
      expect(await page.textContent('pre.message-text')).toContain('Plain text version: the figures are attached.\nSecond line of text.');

      // The attachment downloads with its bytes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'figures.pdf' }).click()]);
      expect(download.suggestedFilename()).toBe('figures.pdf');
      const saved = readFileSync((await download.path())!);
      expect(saved.subarray(0, 17).toString('latin1')).toBe('%PDF-1.4 figures\n');
      expect(saved.length).toBe(17 + 256);

      // Back in the inbox it is read; then it is deleted through the confirm page.
      await page.goto(`${served.panelUrl}/webmail`);
      expect(await page.locator('table.webmail-list tbody tr').getAttribute('class')).toBe('read');
      await page.getByRole('link', { name: 'Quarterly <b>figures</b>' }).click();
      await page.getByRole('link', { name: 'Delete…' }).click();
      await page.getByRole('button', { name: 'Delete message' }).click();
      await page.waitForURL(/\/webmail$/);
      expect(await page.textContent('.flash')).toBe('The message was deleted.');
      expect(await page.textContent('main')).toContain('Your inbox is empty.');
      expect(dialogs).toEqual([]);
      expect(beaconHits).toEqual([]);
    } finally {
      await browser.dispose();
    }
  });
});
