import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { allMailFiles, maildirFiles, nodemailerTransport, sendRaw, startSmtpFixture, type SmtpFixture } from '../helpers/smtp.js';

const INFO = 'homes/bill/.mailboxes/info@bill.test';
const SALES = 'homes/bill/.mailboxes/sales@bill.test';

describe('webmail: a mailbox user reads its own mail in the panel', () => {
  let fixture: SmtpFixture;
  let app: FastifyInstance;

  beforeEach(async () => {
    fixture = await startSmtpFixture();
    app = await buildTestApp(fixture.services, fixture.dataDir);
    const { services } = fixture;
    await makeHostedDomain(services, 'bill', 'bill.test');
    await makeAccount(services, 'kid', { parent: 'bill' });
    await makeVirtualAccount(services, 'info@bill.test');
    await makeVirtualAccount(services, 'sales@bill.test');
    await services.mailboxes.createPopMailbox({ username: 'bob', account: 'bill', domain: 'bill.test', password: PASSWORD });
  });
  afterEach(async () => {
    await app.close();
    await fixture.close();
  });

  const loggedIn = async (name: string, password = PASSWORD) => {
    const client = panelClient(app);
    expect((await client.login(name, password)).statusCode).toBe(303);
    return client;
  };

  /** One message through the real incoming listener. */
  const send = (to: string, { subject = 'Hello', body = 'Hello from the tests.', headers = '' } = {}) =>
    sendRaw(fixture.port, 'alice@remote.test', [to], `From: Alice Example <alice@remote.test>\nTo: ${to}\nSubject: ${subject}\n${headers}\n${body}\n`);

  /** The ids of the messages on the first inbox page, newest first, as webmail links them. */
  const messageIds = async (client: Awaited<ReturnType<typeof loggedIn>>) => {
    const page = await client.get('/webmail');
    return [...page.body.matchAll(/href="\/webmail\/messages\/([^"]+)"/g)].map((match) => decodeURIComponent(match[1]!));
  };

  it('shows an empty inbox with a friendly note', async () => {
    const client = await loggedIn('info@bill.test');
    const page = await client.get('/webmail');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your inbox is empty.');
    expect(page.headers['cache-control']).toBe('private, no-store');
  });

  it('lists the messages newest first with sender, escaped subject, date, size, and marks the unread ones', async () => {
    await send('info@bill.test', { subject: 'First of two' });
    await send('info@bill.test', { subject: '<script>alert("x")</script> & =?UTF-8?B?R3LDvMOfZQ==?=' });
    const client = await loggedIn('info@bill.test');
    const page = await client.get('/webmail');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2 messages, 2 unread.');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Grüße');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body.indexOf('Grüße')).toBeLessThan(page.body.indexOf('First of two'));
    expect(page.body).toContain('<td data-label="From">Alice Example</td>');
    expect(page.body).toMatch(/<td data-label="Date" class="nowrap">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/td>/);
    expect(page.body).toMatch(/<td data-label="Size" class="nowrap">\d+ B<\/td>/);
    expect(page.body.match(/<tr class="unread">/g)).toHaveLength(2);
    // Listing moves new mail into cur/ as any reader does, but reads nothing as seen.
    expect(maildirFiles(fixture.dataDir, INFO, 'new')).toHaveLength(0);
    expect(maildirFiles(fixture.dataDir, INFO, 'cur').map((file) => file.name)).toEqual([expect.stringMatching(/:2,$/), expect.stringMatching(/:2,$/)]);
  });

  it('pages through 60 messages, 50 a page, newest first', async () => {
    for (let n = 1; n <= 60; n += 1) await send('info@bill.test', { subject: `Message ${n}` });
    const client = await loggedIn('info@bill.test');
    const first = await client.get('/webmail');
    const subjects = (body: string) => [...body.matchAll(/">Message (\d+)<\/a>/g)].map((match) => Number(match[1]));
    expect(subjects(first.body)).toEqual(Array.from({ length: 50 }, (_, i) => 60 - i));
    expect(first.body).toContain('Page 1 of 2 (60)');
    expect(first.body).toContain('href="/webmail?page=2" rel="next"');
    const second = await client.get('/webmail?page=2');
    expect(subjects(second.body)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(second.body).toContain('href="/webmail?page=1" rel="prev"');
    expect(subjects((await client.get('/webmail?page=99')).body)).toEqual(subjects(second.body));
    expect(subjects((await client.get('/webmail?page=nonsense')).body)).toEqual(subjects(first.body));
  });

  it('opens a message: text escaped with its line breaks, headers, and the message is marked seen', async () => {
    await send('info@bill.test', { subject: 'Plain', body: '<b>not bold</b>\nsecond line\n\nthird' });
    const client = await loggedIn('info@bill.test');
    const [id] = await messageIds(client);
    const page = await client.get(`/webmail/messages/${encodeURIComponent(id!)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<pre class="message-text">&lt;b&gt;not bold&lt;/b&gt;\nsecond line\n\nthird');
    expect(page.body).toContain('<h1 class="message-subject">Plain</h1>');
    expect(page.body).toContain('Alice Example &lt;alice@remote.test&gt;');
    expect(page.headers['content-security-policy']).toBe("default-src 'none';style-src 'self';img-src 'self' data:;frame-src 'self';form-action 'self';base-uri 'none';frame-ancestors 'none'");
    const [file] = maildirFiles(fixture.dataDir, INFO, 'cur');
    expect(file!.name).toBe(`${id}:2,S`);
    expect((await client.get('/webmail')).body).toContain('1 message, 0 unread.');
  });

  it('shows an HTML part only sanitised, in a sandboxed frame whose own policy forbids script and remote loads', async () => {
    const html = '<p onclick="steal()">Hi <b>there</b></p><script>document.title="owned"</script><img src="http://tracker.example/pixel.gif" onerror="alert(1)"><a href="javascript:alert(2)">click</a><a href="https://example.org/">site</a><form action="https://evil.example/"><input name="password"></form><p style="position:fixed">styled</p>';
    await send('info@bill.test', { subject: 'Rich', headers: 'MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n', body: html });
    const client = await loggedIn('info@bill.test');
    const [id] = await messageIds(client);
    const href = `/webmail/messages/${encodeURIComponent(id!)}`;
    const page = await client.get(href);
    expect(page.body).toContain(`<iframe class="message-html" src="${href}/body" sandbox="allow-popups allow-popups-to-escape-sandbox"`);
    expect(page.body).toContain('1 image from other servers was not loaded');
    expect(page.body).toContain(`href="${href}?view=text">Show as plain text`);

    const frame = await client.get(`${href}/body`);
    expect(frame.statusCode).toBe(200);
    expect(frame.headers['content-type']).toBe('text/html; charset=utf-8');
    const policy = String(frame.headers['content-security-policy']);
    expect(policy).toMatch(/^sandbox allow-popups allow-popups-to-escape-sandbox;default-src 'none';img-src data:;style-src 'sha256-[A-Za-z0-9+/=]+';form-action 'none';base-uri 'none';frame-ancestors 'self'$/);
    expect(frame.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(frame.body).toContain('<p>Hi <b>there</b></p>');
    expect(frame.body).toContain('<a href="https://example.org/" target="_blank" rel="noopener noreferrer">site</a>');
    expect(frame.body).toContain('<img alt="[image not loaded]" />');
    for (const banned of ['<script', 'onclick', 'onerror', 'javascript:', 'tracker.example', '<form', '<input', 'style="']) expect(frame.body).not.toContain(banned);

    const asText = await client.get(`${href}?view=text`);
    expect(asText.body).toContain('<pre class="message-text">');
    expect(asText.body).not.toContain('<iframe');
  });

  it('lists attachments and downloads one with its bytes, its type, as an attachment and not sniffed', async () => {
    const pdf = randomBytes(3000);
    await nodemailerTransport(fixture.port).sendMail({
      from: 'alice@remote.test',
      to: 'info@bill.test',
      subject: 'With files',
      text: 'See the attachments.',
      attachments: [
        { filename: 'report "Q1".pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'page.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
      ],
    });
    const client = await loggedIn('info@bill.test');
    const [id] = await messageIds(client);
    const href = `/webmail/messages/${encodeURIComponent(id!)}`;
    const page = await client.get(href);
    expect(page.body).toContain(`<a href="${href}/attachments/0" download>report &quot;Q1&quot;.pdf</a>`);
    expect(page.body).toContain('application/pdf, 2.9 KiB');

    const download = await client.get(`${href}/attachments/0`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="report _Q1_.pdf"; filename*=UTF-8''report%20%22Q1%22.pdf`);
    expect(download.headers['x-content-type-options']).toBe('nosniff');

    const htmlFile = await client.get(`${href}/attachments/1`);
    expect(htmlFile.headers['content-disposition']).toMatch(/^attachment;/);
    expect(htmlFile.headers['content-security-policy']).toBe("sandbox;default-src 'none';frame-ancestors 'none'");
    expect((await client.get(`${href}/attachments/2`)).statusCode).toBe(404);
    expect((await client.get(`${href}/attachments/x`)).statusCode).toBe(404);
  });

  it('reads mail another program wrote with a name too long for a URL, through its hashed UIDL, keeping its flags', async () => {
    await send('info@bill.test', { subject: 'Ours' });
    const long = `1700000000.M1P2Q3.${'very-long-host-name.'.repeat(5)}example,S=60`;
    writeFileSync(join(fixture.dataDir, INFO, 'cur', `${long}:2,F`), 'From: bob@remote.test\nSubject: Flagged elsewhere\n\nBody.\n');
    const client = await loggedIn('info@bill.test');
    const ids = await messageIds(client);
    expect(ids).toHaveLength(2);
    const hashed = ids.find((id) => id.startsWith('h'))!;
    expect(hashed).toMatch(/^h[0-9a-f]{48}$/);
    const page = await client.get(`/webmail/messages/${hashed}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Flagged elsewhere');
    expect(maildirFiles(fixture.dataDir, INFO, 'cur').map((file) => file.name)).toContain(`${long}:2,FS`);
  });

  it('works for a POP mailbox user logged in with its username', async () => {
    await send('bob@bill.test', { subject: 'For Bob' });
    const client = await loggedIn('bob');
    expect((await client.get('/webmail')).body).toContain('For Bob');
  });

  describe('who may read what', () => {
    it('refuses webmail to account logins, the owner of the mailbox and a child account (403): they manage mailboxes, they do not read them', async () => {
      await send('info@bill.test', { subject: 'Private' });
      const reader = await loggedIn('info@bill.test');
      const [id] = await messageIds(reader);
      const before = allMailFiles(fixture.dataDir);
      for (const name of ['bill', 'kid']) {
        const client = await loggedIn(name);
        expect((await client.get('/webmail')).statusCode).toBe(403);
        const message = await client.get(`/webmail/messages/${encodeURIComponent(id!)}`);
        expect(message.statusCode).toBe(403);
        expect(message.body).not.toContain('Private');
      }
      expect(allMailFiles(fixture.dataDir)).toEqual(before);
    });

    it('refuses the admin too (403)', async () => {
      await fixture.services.admins.ensureAdmin('admin-secret1');
      const admin = await loggedIn('admin', 'admin-secret1');
      expect((await admin.get('/webmail')).statusCode).toBe(403);
    });

    it("answers 404 for another mailbox's message and leaves it untouched", async () => {
      await send('sales@bill.test', { subject: 'Sales only' });
      const owner = await loggedIn('sales@bill.test');
      const [id] = await messageIds(owner);
      const before = allMailFiles(fixture.dataDir);
      const other = await loggedIn('info@bill.test');
      const href = `/webmail/messages/${encodeURIComponent(id!)}`;
      for (const url of [href, `${href}/body`, `${href}/attachments/0`, `${href}/delete`]) {
        const response = await other.get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body).not.toContain('Sales only');
      }
      expect((await other.post(`${href}/delete`, {})).statusCode).toBe(404);
      expect(allMailFiles(fixture.dataDir)).toEqual(before);
      expect(maildirFiles(fixture.dataDir, SALES, 'cur')[0]!.name).toBe(`${id}:2,`);
    });

    it('answers 404 for a malformed id and touches nothing', async () => {
      await send('info@bill.test');
      await send('sales@bill.test');
      const client = await loggedIn('info@bill.test');
      // Nothing listed yet: the messages are still in new/, and a refused id must not even claim them.
      const before = allMailFiles(fixture.dataDir);
      expect(before.filter((path) => path.includes('/new/'))).toHaveLength(2);
      const ids = ['..%2Fx', '..%2F..%2F..%2Fpostyard.db', '%2E%2E', '.', '1.x%2F..%2F..%2Fsales@bill.test', `1.${'a'.repeat(80)}`, '1.a:2,S', '1.a%00b', '1.a%2C..', 'h123', `H${'0'.repeat(48)}`];
      for (const id of ids) {
        expect((await client.get(`/webmail/messages/${id}`)).statusCode, id).toBe(404);
        expect((await client.get(`/webmail/messages/${id}/body`)).statusCode, id).toBe(404);
        expect((await client.get(`/webmail/messages/${id}/attachments/0`)).statusCode, id).toBe(404);
        expect((await client.post(`/webmail/messages/${id}/delete`, {})).statusCode, id).toBe(404);
      }
      expect((await client.get('/webmail/messages/../x')).statusCode).toBe(404);
      // Past 100 characters the router itself refuses the parameter (Fastify's maxParamLength): the 404 page too.
      expect((await client.get(`/webmail/messages/${'x'.repeat(500)}`)).statusCode).toBe(404);
      expect(allMailFiles(fixture.dataDir)).toEqual(before);
    });

    it('answers 404 for a well-formed id that is in no folder of the mailbox', async () => {
      await send('info@bill.test');
      const client = await loggedIn('info@bill.test');
      await client.get('/webmail');
      expect((await client.get('/webmail/messages/1700000000.M1P1Q1.nowhere%2CS%3D10')).statusCode).toBe(404);
      expect((await client.get(`/webmail/messages/h${'0'.repeat(48)}`)).statusCode).toBe(404);
    });

    it('refuses a mailbox whose no-webmail flag is set', async () => {
      await fixture.services.mailboxes.updateSettings('info@bill.test', { flags: MAILBOX_FLAGS.noWebmail });
      const client = await loggedIn('info@bill.test');
      const page = await client.get('/webmail');
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('Webmail is turned off for this mailbox.');
    });
  });

  describe('deleting', () => {
    it('asks first, refuses a post without the CSRF token, then removes the file', async () => {
      await send('info@bill.test', { subject: 'Delete me' });
      await send('info@bill.test', { subject: 'Keep me' });
      const client = await loggedIn('info@bill.test');
      const ids = await messageIds(client);
      const id = ids[1]!; // the older one, "Delete me"
      const href = `/webmail/messages/${encodeURIComponent(id)}`;
      const confirm = await client.get(`${href}/delete`);
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain('Delete this message?');
      expect(confirm.body).toContain('&quot;Delete me&quot; from Alice Example');
      expect(confirm.body).toMatch(new RegExp(`<form method="post" action="${href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/delete">\\s*<input type="hidden" name="_csrf"`));

      const forged = await client.post(`${href}/delete`, {}, { withCsrf: false });
      expect(forged.statusCode).toBe(403);
      expect(maildirFiles(fixture.dataDir, INFO, 'cur')).toHaveLength(2);

      const done = await client.post(`${href}/delete`, {});
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/webmail');
      const remaining = maildirFiles(fixture.dataDir, INFO, 'cur');
      expect(remaining).toHaveLength(1);
      expect(remaining[0]!.text).toContain('Subject: Keep me');
      const list = await client.get('/webmail');
      expect(list.body).toContain('The message was deleted.');
      expect(list.body).not.toContain('Delete me');
      expect((await client.get(href)).statusCode).toBe(404);
    });
  });
});
