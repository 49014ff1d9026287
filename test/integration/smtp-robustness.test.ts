import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  allMailFiles,
  buildMailScenario,
  maildirFiles,
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

/** The listener still serves: a new connection gets a greeting, answers NOOP and delivers a message. */
async function expectStillServing() {
  const client = await smtp.connect();
  expect((await client.command('NOOP')).code).toBe(250);
  await client.quit();
  const reply = await sendRaw(smtp.port, 'sender@remote.test', ['info@example.test'], testMessage({ subject: 'still serving' }));
  expect(reply.code).toBe(250);
}

describe('incoming SMTP: malformed commands get a definite refusal', () => {
  const NONE: readonly string[] = [];
  const AFTER_EHLO = ['EHLO client.remote.test'];
  const IN_MAIL = ['EHLO client.remote.test', 'MAIL FROM:<sender@remote.test>'];

  it.each([
    { what: 'an unknown verb', prelude: NONE, line: 'FOO bar', code: 500 },
    { what: 'EHLO without a name', prelude: NONE, line: 'EHLO', code: 501 },
    { what: 'MAIL without FROM:', prelude: AFTER_EHLO, line: 'MAIL sender@remote.test', code: 501 },
    { what: 'MAIL with an unclosed angle bracket', prelude: AFTER_EHLO, line: 'MAIL FROM:<sender@remote.test', code: 501 },
    { what: 'MAIL with a malformed SIZE', prelude: AFTER_EHLO, line: 'MAIL FROM:<sender@remote.test> SIZE=abc', code: 501 },
    { what: 'a second MAIL inside a transaction', prelude: IN_MAIL, line: 'MAIL FROM:<other@remote.test>', code: 503 },
    { what: 'RCPT before MAIL', prelude: AFTER_EHLO, line: 'RCPT TO:<alice@example.test>', code: 503 },
    { what: 'DATA before any accepted RCPT', prelude: IN_MAIL, line: 'DATA', code: 503 },
    { what: 'RCPT with an empty address', prelude: IN_MAIL, line: 'RCPT TO:<>', code: 501 },
    { what: 'RCPT without angle brackets', prelude: IN_MAIL, line: 'RCPT TO:alice@example.test', code: 501 },
    { what: 'RCPT with a space in the address', prelude: IN_MAIL, line: 'RCPT TO:<a b@example.test>', code: 501 },
    { what: 'RCPT with a slash in the local part', prelude: IN_MAIL, line: 'RCPT TO:<a/b@example.test>', code: 553 },
    { what: 'RCPT with a path up out of the data folder', prelude: IN_MAIL, line: 'RCPT TO:<../../etc@example.test>', code: 501 },
    { what: 'RCPT with a domain literal', prelude: IN_MAIL, line: 'RCPT TO:<alice@[127.0.0.1]>', code: 553 },
    { what: 'RCPT with an address longer than 254 characters', prelude: IN_MAIL, line: `RCPT TO:<${'a'.repeat(300)}@example.test>`, code: 501 },
    { what: 'binary garbage', prelude: NONE, line: '\x00\x01\xff\xfe', code: 500 },
    { what: 'AUTH on the incoming listener', prelude: AFTER_EHLO, line: 'AUTH PLAIN AGFiYwBkZWY=', code: 500 },
  ])('answers $what with $code and keeps the session usable', async ({ prelude, line, code }) => {
    const client = await smtp.connect();
    for (const step of prelude) expect((await client.command(step)).code, step).toBeLessThan(400);

    const reply = await client.command(line);

    expect(reply.code).toBe(code);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });

  it('gives a malformed address refusal the 553 5.1.3 text of the reply table', async () => {
    const client = await smtp.connect();
    const [reply] = await client.envelope('sender@remote.test', ['a/b@example.test']);
    await client.quit();

    expect(reply!.raw).toBe('553 5.1.3 <a/b@example.test>: malformed address');
  });

  it('answers a command line over 16 KB definitely and keeps serving new connections', async () => {
    const client = await smtp.connect();

    const reply = await client.command(`NOOP ${'x'.repeat(20_000)}`);

    expect(reply.code).toBeGreaterThanOrEqual(400);
    client.destroy();
    await expectStillServing();
  });

  it('keeps serving after a client sends garbage and disconnects without QUIT', async () => {
    const client = await smtp.connect();
    client.write('\xff\xfe\x00garbage without a line end');
    client.destroy();
    await client.closed;

    await expectStillServing();
  });
});

describe('incoming SMTP: line ends', () => {
  it('accepts commands that end with a bare LF and delivers the message', async () => {
    const client = await smtp.connect();
    client.write('EHLO client.remote.test\n');
    expect((await client.readReply()).code).toBe(250);
    client.write('MAIL FROM:<sender@remote.test>\n');
    expect((await client.readReply()).code).toBe(250);
    client.write('RCPT TO:<alice@example.test>\n');
    expect((await client.readReply()).code).toBe(250);
    client.write('DATA\n');
    expect((await client.readReply()).code).toBe(354);
    client.write('Subject: bare LF commands\r\n\r\nBody.\r\n.\r\n');
    expect((await client.readReply()).code).toBe(250);
    await client.quit();

    const files = maildirFiles(smtp.dataDir, folders.alice);
    expect(files).toHaveLength(1);
    expect(files[0]!.text).toContain('Subject: bare LF commands\n\nBody.\n');
  });
});

describe('incoming SMTP: large and broken messages', () => {
  it('survives a 100 KB line in DATA: delivered intact or refused cleanly, and the listener still answers', async () => {
    const longLine = 'L'.repeat(100 * 1024);
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write(`Subject: long line\r\n\r\n${longLine}\r\nend\r\n.\r\n`);

    const reply = await client.readReply();
    await client.quit();

    const files = maildirFiles(smtp.dataDir, folders.alice);
    if (reply.code === 250) {
      expect(files).toHaveLength(1);
      expect(files[0]!.text).toContain(`\n\n${longLine}\nend\n`);
    } else {
      expect(reply.code).toBeGreaterThanOrEqual(500);
      expect(files).toEqual([]);
    }
    await expectStillServing();
  });

  it('writes nothing when the client disconnects in the middle of DATA, and keeps serving', async () => {
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write(`Subject: cut off\r\n\r\n${'partial body\r\n'.repeat(2000)}`);
    client.destroy();
    await smtp.listener.connectionsClosed();

    await expectStillServing();

    expect(maildirFiles(smtp.dataDir, folders.alice)).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice, 'tmp')).toEqual([]);
    expect(allMailFiles(smtp.dataDir).every((file) => file.startsWith(`${folders.info}/new/`))).toBe(true);
  });

  it('writes nothing when the client disconnects after the message but before the final dot', async () => {
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write('Subject: no terminator\r\n\r\nComplete looking body.\r\n');
    client.destroy();
    await smtp.listener.connectionsClosed();

    await expectStillServing();

    expect(maildirFiles(smtp.dataDir, folders.alice)).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice, 'tmp')).toEqual([]);
  });
});

describe('incoming SMTP: SMTP smuggling (a bare LF dot does not end DATA)', () => {
  const smuggled = 'MAIL FROM:<ceo@example.test>\r\nRCPT TO:<info@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nwire the money\r\n';

  it.each([
    ['LF dot LF', '\n.\n'],
    ['CRLF dot LF', '\r\n.\n'],
    ['LF dot CRLF', '\n.\r\n'],
    ['CR dot CR', '\r.\r'],
  ])('treats %s followed by SMTP commands as message content, not a new transaction', async (_case, fakeEnd) => {
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write(`Subject: carrier\r\n\r\nfirst part${fakeEnd}${smuggled}.\r\n`);

    const reply = await client.readReply();
    const help = await client.command('HELP');
    await client.quit();

    // Exactly one reply to the message: had the server ended DATA early, the smuggled commands would have answered too.
    expect(help.code).toBe(214);
    expect(maildirFiles(smtp.dataDir, folders.info)).toEqual([]);
    const files = allMailFiles(smtp.dataDir);
    if (reply.code === 250) {
      expect(files).toHaveLength(1);
      const [file] = maildirFiles(smtp.dataDir, folders.alice);
      expect(file!.text).toContain('Subject: carrier');
      expect(file!.text).toContain('MAIL FROM:<ceo@example.test>');
      expect(file!.text).toContain('wire the money');
    } else {
      expect(reply.code).toBeGreaterThanOrEqual(500);
      expect(files).toEqual([]);
    }
  });

  it('does not end DATA when the smuggled terminator arrives split across TCP segments', async () => {
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write('Subject: split carrier\r\n\r\nfirst part\n');
    // The rest goes out only once the first part has left this side (Nagle off), so the server most likely reads the
    // bare LF and the dot in separate chunks: the split a smuggler would arrange with TCP segmentation.
    client.socket.setNoDelay(true);
    await new Promise<void>((resolve) => client.socket.write('', () => resolve()));
    client.write(`.\n${smuggled}.\r\n`);

    const reply = await client.readReply();
    const help = await client.command('HELP');
    await client.quit();

    expect(help.code).toBe(214);
    expect(maildirFiles(smtp.dataDir, folders.info)).toEqual([]);
    if (reply.code === 250) expect(maildirFiles(smtp.dataDir, folders.alice)[0]!.text).toContain('wire the money');
  });

  it('unstuffs a dot-stuffed line "..X" after a CRLF and keeps it one message', async () => {
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);
    await client.expect('DATA', 354);
    client.write('Subject: stuffed\r\n\r\nbefore\r\n..\r\nafter\r\n.\r\n');

    const reply = await client.readReply();
    await client.quit();

    expect(reply.code).toBe(250);
    const [file] = maildirFiles(smtp.dataDir, folders.alice);
    expect(file!.text.endsWith('\n\nbefore\n.\nafter\n')).toBe(true);
  });
});
