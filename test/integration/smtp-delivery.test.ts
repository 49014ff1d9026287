import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allMailFiles,
  buildMailScenario,
  headerBlock,
  maildirFiles,
  nodemailerTransport,
  sendRaw,
  startSmtpFixture,
  testMessage,
  type SmtpFixture,
} from '../helpers/smtp.js';

let smtp: SmtpFixture;
let folders: Awaited<ReturnType<typeof buildMailScenario>>['folders'];

beforeEach(async () => {
  smtp = await startSmtpFixture();
  ({ folders } = await buildMailScenario(smtp.services));
});

afterEach(async () => {
  await smtp.close();
});

async function sendWithNodemailer(to: string | string[], subject: string) {
  const transport = nodemailerTransport(smtp.port);
  try {
    return await transport.sendMail({ from: 'sender@remote.test', to, subject, text: `Body of ${subject}` });
  } finally {
    transport.close();
  }
}

describe('incoming SMTP: each recipient lands in the mailbox its resolution names', () => {
  it.each([
    ['a virtual account', 'alice@example.test', 'alice'],
    ['a named rule that delivers to a child account', 'sales@example.test', 'kid'],
    ['a named rule that delivers to a POP mailbox', 'support@example.test', 'popbox'],
    ["a POP mailbox's default alias", 'popbox@example.test', 'popbox'],
    ['a forward to a local virtual account', 'team@example.test', 'alice'],
    ['a "*" catch-all rule', 'anyone-at-all@other.test', 'kid'],
    ['no virtual account and no rule (the parent mailbox)', 'nobody-special@example.test', 'acme'],
  ] as const)('delivers mail for %s (%s) into exactly that Maildir', async (_case, recipient, folder) => {
    const info = await sendWithNodemailer(recipient, `for ${recipient}`);

    expect(info.rejected).toEqual([]);
    expect(info.accepted).toEqual([recipient]);
    expect(info.response).toMatch(/^250 /);
    const files = maildirFiles(smtp.dataDir, folders[folder]);
    expect(files).toHaveLength(1);
    expect(files[0]!.text).toContain(`Subject: for ${recipient}`);
    expect(allMailFiles(smtp.dataDir)).toEqual([join(folders[folder], 'new', files[0]!.name)]);
  });

  it('accepts mail for a discard rule with 250 and writes no file anywhere', async () => {
    const info = await sendWithNodemailer('void@example.test', 'into the void');

    expect(info.accepted).toEqual(['void@example.test']);
    expect(info.response).toMatch(/^250 /);
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it("refuses a fail rule's address at RCPT with 550 5.1.1 and the rule's own message", async () => {
    const client = await smtp.connect();
    const [reply] = await client.envelope('sender@remote.test', ['gone@example.test']);

    expect(reply!.code).toBe(550);
    expect(reply!.text).toBe('5.1.1 <gone@example.test>: This person left the company');
    await client.quit();
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });

  it('reports the fail rule through nodemailer as a rejected recipient with code 550', async () => {
    const error = await sendWithNodemailer('gone@example.test', 'to a leaver').then(
      () => null,
      (caught: unknown) => caught as { responseCode?: number; response?: string },
    );

    expect(error).not.toBeNull();
    expect(error!.responseCode).toBe(550);
    expect(error!.response).toContain('5.1.1 <gone@example.test>: This person left the company');
  });

  it('refuses a recipient on a domain that is not hosted here with 550 5.7.1 at RCPT', async () => {
    const client = await smtp.connect();
    const [reply] = await client.envelope('sender@remote.test', ['someone@elsewhere.test']);

    expect(reply!.code).toBe(550);
    expect(reply!.text).toMatch(/^5\.7\.1 <someone@elsewhere\.test>/);
    await client.quit();
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('delivers to the accepted recipients and reports the refused one when a message mixes them', async () => {
    const info = await sendWithNodemailer(['alice@example.test', 'gone@example.test'], 'mixed');

    expect(info.accepted).toEqual(['alice@example.test']);
    expect(info.rejected).toEqual(['gone@example.test']);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('puts a forward to a remote address into the outbound queue as one row and writes no local file', async () => {
    const info = await sendWithNodemailer('ext@example.test', 'forwarded out');

    expect(info.accepted).toEqual(['ext@example.test']);
    const queued = smtp.services.queue.list();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ recipient: 'friend@remote.test', sender: 'sender@remote.test' });
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });
});

describe('incoming SMTP: the files it writes', () => {
  const body = [
    'From: Sender <sender@remote.test>',
    'To: Alice <alice@example.test>',
    'Subject: File format check',
    'Message-ID: <file-format@remote.test>',
    '',
    'First line of the body.',
    '.A line that starts with a dot.',
    '..Two dots at the start.',
    '.',
    'Last line.',
    '',
  ].join('\n');

  async function deliverSample() {
    const reply = await sendRaw(smtp.port, 'sender@remote.test', ['alice@example.test'], body);
    expect(reply.code).toBe(250);
    const files = maildirFiles(smtp.dataDir, folders.alice);
    expect(files).toHaveLength(1);
    return files[0]!;
  }

  it('names the file with a ,S= size tag equal to its real size', async () => {
    const file = await deliverSample();

    const tag = /,S=(\d+)/.exec(file.name);
    expect(tag).not.toBeNull();
    expect(Number(tag![1])).toBe(file.size);
    expect(file.content.length).toBe(file.size);
    expect(file.name).toMatch(/^\d+\.M\d+P\d+Q\d+\.[^/:]+,S=\d+$/);
  });

  it('writes the file with mode 0600 inside folders with mode 0700', async () => {
    const file = await deliverSample();

    expect(file.mode).toBe(0o600);
    for (const folder of ['', 'new', 'cur', 'tmp']) {
      expect(statSync(join(smtp.dataDir, folders.alice, folder)).mode & 0o777, `${folders.alice}/${folder}`).toBe(0o700);
    }
  });

  it('puts Return-Path, Delivered-To and a Received header naming mx.test.example on top', async () => {
    const file = await deliverSample();

    const lines = file.text.split('\n');
    expect(lines[0]).toBe('Return-Path: <sender@remote.test>');
    expect(lines[1]).toBe('Delivered-To: alice@example.test');
    expect(lines[2]).toMatch(/^Received: from client\.remote\.test \(.*\[127\.0\.0\.1\]\)$/);
    expect(lines[3]).toMatch(/^\tby mx\.test\.example \(Postyard\) with ESMTP id \S+$/);
    expect(headerBlock(file.text)).toContain('Subject: File format check');
  });

  it('stores LF line ends and the body intact, with dot-stuffing undone', async () => {
    const file = await deliverSample();

    expect(file.content.includes('\r')).toBe(false);
    expect(file.text.endsWith(body)).toBe(true);
    expect(file.text).toContain('\n.A line that starts with a dot.\n..Two dots at the start.\n.\nLast line.\n');
  });

  it('leaves nothing behind in tmp/ after a delivery', async () => {
    await deliverSample();

    expect(maildirFiles(smtp.dataDir, folders.alice, 'tmp')).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice, 'cur')).toEqual([]);
  });

  it('writes an empty sender as Return-Path: <> (a bounce)', async () => {
    const reply = await sendRaw(smtp.port, '', ['alice@example.test'], testMessage({ subject: 'Bounce' }));

    expect(reply.code).toBe(250);
    const [file] = maildirFiles(smtp.dataDir, folders.alice);
    expect(file!.text.split('\n')[0]).toBe('Return-Path: <>');
  });
});

describe('incoming SMTP: one copy per mailbox', () => {
  it('writes one copy when two recipients resolve to the same mailbox', async () => {
    const client = await smtp.connect();
    const replies = await client.envelope('sender@remote.test', ['alice@example.test', 'team@example.test']);
    expect(replies.map((reply) => reply.code)).toEqual([250, 250]);
    const reply = await client.data(testMessage({ subject: 'Twice addressed' }));
    await client.quit();

    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(allMailFiles(smtp.dataDir)).toHaveLength(1);
  });

  it('writes one copy per distinct mailbox when recipients go to several', async () => {
    const info = await sendWithNodemailer(
      ['alice@example.test', 'team@example.test', 'sales@example.test', 'anything@other.test', 'support@example.test'],
      'fan out',
    );

    expect(info.rejected).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(maildirFiles(smtp.dataDir, folders.kid)).toHaveLength(1);
    expect(maildirFiles(smtp.dataDir, folders.popbox)).toHaveLength(1);
    expect(allMailFiles(smtp.dataDir)).toHaveLength(3);
  });

  it('matches addresses case-insensitively: RCPT TO:<INFO@Example.Test> reaches info@example.test', async () => {
    const client = await smtp.connect();
    const [rcpt] = await client.envelope('sender@remote.test', ['INFO@Example.Test']);
    expect(rcpt!.code).toBe(250);
    const reply = await client.data(testMessage({ subject: 'Shouting' }));
    await client.quit();

    expect(reply.code).toBe(250);
    const files = maildirFiles(smtp.dataDir, folders.info);
    expect(files).toHaveLength(1);
    expect(files[0]!.text).toMatch(/^Delivered-To: info@example\.test$/im);
  });

  it('writes one copy for the same address given twice in different case', async () => {
    const client = await smtp.connect();
    const replies = await client.envelope('sender@remote.test', ['alice@example.test', 'ALICE@EXAMPLE.TEST']);
    expect(replies.map((reply) => reply.code)).toEqual([250, 250]);
    const reply = await client.data(testMessage({ subject: 'Case twice' }));
    await client.quit();

    expect(reply.code).toBe(250);
    expect(allMailFiles(smtp.dataDir)).toHaveLength(1);
  });

  it('delivers several messages on one connection as separate files', async () => {
    const client = await smtp.connect();
    for (const subject of ['One', 'Two', 'Three']) {
      await client.expect('RSET', 250);
      const replies = await client.envelope('sender@remote.test', ['alice@example.test']);
      expect(replies[0]!.code).toBe(250);
      expect((await client.data(testMessage({ subject }))).code).toBe(250);
    }
    await client.quit();

    const subjects = maildirFiles(smtp.dataDir, folders.alice).map((file) => /^Subject: (.*)$/m.exec(file.text)![1]);
    expect(subjects.sort()).toEqual(['One', 'Three', 'Two']);
  });
});

