import { simpleParser } from 'mailparser';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostyardError } from '../../src/domain/errors.js';
import { RawSmtpClient, buildMailScenario, maildirFiles, sendRaw, startSmtpFixture, type SmtpFixture } from '../helpers/smtp.js';

let smtp: SmtpFixture;
let folders: Awaited<ReturnType<typeof buildMailScenario>>['folders'];

beforeEach(async () => {
  smtp = await startSmtpFixture();
  ({ folders } = await buildMailScenario(smtp.services));
  await smtp.services.mailboxes.updateSettings('alice@example.test', { displayName: 'Alice Example' });
  smtp.services.autoreply.set('alice@example.test', { subject: 'Away this week', text: 'I am away until Monday.\nRegards, Alice' });
});

afterEach(async () => {
  await smtp.close();
});

/** A message from `from` to alice, with extra header lines; sent over a real connection, then every autoreply settles. */
interface Mail {
  from?: string;
  envelopeFrom?: string;
  headers?: string[];
  id?: string;
  to?: string;
  rcpt?: string;
}

async function mailAlice({ from = 'info@example.test', envelopeFrom, headers = [], id = '<original-1@example.test>', to = 'alice@example.test', rcpt = 'alice@example.test' }: Mail = {}) {
  const message = [`From: ${from}`, `To: ${to}`, 'Subject: Lunch on Friday?', `Message-ID: ${id}`, ...headers, '', 'Shall we?', ''].join('\n');
  const reply = await sendRaw(smtp.port, envelopeFrom ?? from, [rcpt], message);
  expect(reply.code).toBe(250);
  await smtp.services.autoreply.settled();
}

/** A Maildir subfolder replaced by a file: writing there fails with ENOTDIR, even for root (as in smtp-disk-failure). */
function breakSubfolder(folder: string, sub: 'tmp' | 'new') {
  rmSync(join(smtp.dataDir, folder, sub), { recursive: true, force: true });
  writeFileSync(join(smtp.dataDir, folder, sub), 'not a folder\n');
}

function repairSubfolder(folder: string, sub: 'tmp' | 'new') {
  rmSync(join(smtp.dataDir, folder, sub), { force: true });
  mkdirSync(join(smtp.dataDir, folder, sub), { mode: 0o700 });
}

const repliesIn = (folder: string) => maildirFiles(smtp.dataDir, folder).filter((file) => /^Auto-Submitted: auto-replied$/m.test(file.text));

describe('autoreply over the real incoming listener (RFC 3834)', () => {
  it("answers a local sender once: the reply lands in the sender's mailbox, threaded and marked auto-replied", async () => {
    await mailAlice();

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1); // the original itself
    const [reply] = repliesIn(folders.info);
    expect(reply).toBeDefined();
    const parsed = await simpleParser(reply!.content);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.inReplyTo).toBe('<original-1@example.test>');
    expect(parsed.references).toBe('<original-1@example.test>');
    expect(parsed.subject).toBe('Away this week');
    expect(parsed.from?.value).toEqual([{ address: 'alice@example.test', name: 'Alice Example' }]);
    expect(parsed.to).toMatchObject({ value: [{ address: 'info@example.test' }] });
    expect(parsed.text).toBe('I am away until Monday.\nRegards, Alice\n');
    // RFC 3834 3.3: sent with the null envelope sender, so nothing bounces back to alice.
    expect(reply!.text.startsWith('Return-Path: <>\nDelivered-To: info@example.test\n')).toBe(true);
  });

  it('answers the same sender only once within the period', async () => {
    await mailAlice({ id: '<first@example.test>' });
    await mailAlice({ id: '<second@example.test>' });

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(2);
    expect(repliesIn(folders.info)).toHaveLength(1);
  });

  it('queues the reply to a remote sender in the outbound queue, with the null sender', async () => {
    await mailAlice({ from: 'bob@remote.test' });

    expect(smtp.services.queue.list()).toMatchObject([{ sender: '', recipient: 'bob@remote.test' }]);
  });

  it.each([
    ['a mailing list (List-Id)', ['List-Id: Friends <friends.lists.example.test>']],
    ['a newsletter (List-Unsubscribe)', ['List-Unsubscribe: <mailto:leave@lists.example.test>']],
    ['bulk mail (Precedence: bulk)', ['Precedence: bulk']],
    ['mail from a program (Auto-Submitted: auto-generated)', ['Auto-Submitted: auto-generated']],
    ['another autoreply (Auto-Submitted: auto-replied)', ['Auto-Submitted: auto-replied']],
  ])('does not answer %s', async (_case, headers) => {
    await mailAlice({ headers });

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(repliesIn(folders.info)).toEqual([]);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('does not answer a bounce (the null sender), and writes no reply anywhere', async () => {
    await mailAlice({ from: 'MAILER-DAEMON@remote.test', envelopeFrom: '' });

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it("does not answer mail that does not name alice in To or Cc (she was Bcc'd)", async () => {
    await mailAlice({ to: 'everyone@example.test' });

    expect(repliesIn(folders.info)).toEqual([]);
  });

  it('does not answer mail alice sent to herself', async () => {
    await mailAlice({ from: 'alice@example.test' });

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('answers mail that reached alice through an alias that forwards to her, when the alias is in To', async () => {
    await mailAlice({ to: 'team@example.test', rcpt: 'team@example.test' });
    const [reply] = repliesIn(folders.info);
    expect(reply?.text).toMatch(/^From: "Alice Example" <alice@example\.test>$/m);
  });

  it('does not answer before its first day nor after its last', async () => {
    smtp.services.autoreply.set('alice@example.test', { text: 'Away', from: '2999-01-01' });
    await mailAlice({ id: '<a@example.test>' });
    smtp.services.autoreply.set('alice@example.test', { text: 'Away', until: '2000-01-01' });
    await mailAlice({ id: '<b@example.test>' });

    expect(repliesIn(folders.info)).toEqual([]);
  });

  it('answers one message with two copies to two mailboxes with an autoreply each, once per mailbox', async () => {
    smtp.services.autoreply.set('popbox', { text: 'The pop box is away too.' });
    const client = await RawSmtpClient.connect(smtp.port);
    try {
      await client.envelope('info@example.test', ['alice@example.test', 'popbox@example.test']);
      const message = 'From: info@example.test\nTo: alice@example.test, popbox@example.test\nSubject: both\nMessage-ID: <both@example.test>\n\nhi\n';
      expect((await client.data(message)).code).toBe(250);
      await client.quit();
    } finally {
      client.destroy();
    }
    await smtp.services.autoreply.settled();

    const froms = repliesIn(folders.info).map((file) => /^From: (.*)$/m.exec(file.text)![1]);
    expect(froms.sort()).toEqual(['"Alice Example" <alice@example.test>', '<popbox@example.test>']);
  });

  it('sends no reply to a sender whose mailbox is full, and still delivers the original', async () => {
    await sendRaw(smtp.port, 'someone@remote.test', ['info@example.test'], 'Subject: fills the box\n\nx\n');
    await smtp.services.mailboxes.updateSettings('info@example.test', { quota: 1 });
    await mailAlice();

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(repliesIn(folders.info)).toEqual([]);
  });

  it('keeps the 250 when writing the reply fails, logs the failure, and answers that sender at the next message', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      breakSubfolder(folders.info, 'tmp');
      await mailAlice({ id: '<while-broken@example.test>' }); // asserts the 250
    } finally {
      spy.mockRestore();
    }
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(logged.join('')).toContain('autoreply failed; the message itself was delivered');

    repairSubfolder(folders.info, 'tmp');
    await mailAlice({ id: '<after-repair@example.test>' });
    const [reply] = repliesIn(folders.info);
    expect(reply?.text).toMatch(/^In-Reply-To: <after-repair@example\.test>$/m);
  });
});

describe('autoreply settings', () => {
  it('refuses an end date before the start date, naming the field, and keeps what was saved', () => {
    const before = smtp.services.autoreply.get('alice@example.test');
    expect(() => smtp.services.autoreply.set('alice@example.test', { text: 'x', from: '2025-08-10', until: '2025-08-01' })).toThrow(
      expect.objectContaining({ issues: [{ field: 'until', message: 'must be on or after the start date (2025-08-10)' }] }),
    );
    expect(smtp.services.autoreply.get('alice@example.test')).toEqual(before);
  });

  it('refuses a date that is not in the calendar, naming the field', () => {
    let error: unknown;
    try {
      smtp.services.autoreply.set('alice@example.test', { text: 'x', from: '2025-02-30' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PostyardError);
    expect((error as PostyardError).issues).toEqual([{ field: 'from', message: '2025-02-30 is not a date in the calendar' }]);
  });

  it('turns off and keeps the text, so it can be turned on again', () => {
    smtp.services.autoreply.set('alice@example.test', { enabled: false, text: 'I am away until Monday.' });
    expect(smtp.services.autoreply.get('alice@example.test')).toMatchObject({ enabled: false, text: 'I am away until Monday.' });
  });
});
