import { afterEach, describe, expect, it } from 'vitest';
import { allMailFiles, buildMailScenario, maildirFiles, nodemailerTransport, startSmtpFixture, testMessage, type SmtpFixture } from '../helpers/smtp.js';

let smtp: SmtpFixture | undefined;

afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function start(limits: { maxMessageSize?: number; maxRecipients?: number } = {}) {
  smtp = await startSmtpFixture(limits);
  const { folders } = await buildMailScenario(smtp.services);
  return { smtp, folders };
}

const MAX_SIZE = 10_000;

describe('incoming SMTP: the message-size limit', () => {
  it('refuses a message over the size limit with 552 5.3.4 at the end of DATA and writes nothing', async () => {
    const { smtp } = await start({ maxMessageSize: MAX_SIZE });
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);

    const reply = await client.data(testMessage({ subject: 'too big', bodyBytes: 2 * MAX_SIZE }));

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.3\.4 /);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });

  it('accepts a message just under the size limit', async () => {
    const { smtp, folders } = await start({ maxMessageSize: MAX_SIZE });
    const client = await smtp.connect();
    await client.envelope('sender@remote.test', ['alice@example.test']);

    const reply = await client.data(testMessage({ subject: 'fits', bodyBytes: MAX_SIZE - 500 }));
    await client.quit();

    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('advertises the size limit in the EHLO reply (RFC 1870)', async () => {
    const { smtp } = await start({ maxMessageSize: MAX_SIZE });
    const client = await smtp.connect();

    const reply = await client.command('EHLO client.remote.test');
    await client.quit();

    expect(reply.text.split('\n')).toContain(`SIZE ${MAX_SIZE}`);
  });

  it('refuses a declared SIZE over the limit at MAIL FROM with 552', async () => {
    const { smtp } = await start({ maxMessageSize: MAX_SIZE });
    const client = await smtp.connect();
    await client.expect('EHLO client.remote.test', 250);

    const reply = await client.command(`MAIL FROM:<sender@remote.test> SIZE=${2 * MAX_SIZE}`);

    expect(reply.code).toBe(552);
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
  });

  it('answers a declared SIZE over the limit with the reply-table text 552 5.3.4 (CONVENTIONS: message too big 552 5.3.4)', async () => {
    const { smtp } = await start({ maxMessageSize: MAX_SIZE });
    const client = await smtp.connect();
    await client.expect('EHLO client.remote.test', 250);

    const reply = await client.command(`MAIL FROM:<sender@remote.test> SIZE=${2 * MAX_SIZE}`);
    await client.quit();

    expect(reply.raw).toMatch(/^552 5\.3\.4 /);
  });

  it('reports an oversized message to nodemailer as an error with responseCode 552', async () => {
    const { smtp } = await start({ maxMessageSize: MAX_SIZE });
    const transport = nodemailerTransport(smtp.port);
    const error = await transport
      .sendMail({ from: 'sender@remote.test', to: 'alice@example.test', subject: 'too big', text: 'y'.repeat(3 * MAX_SIZE) })
      .then(
        () => null,
        (caught: unknown) => caught as { responseCode?: number; response?: string },
      )
      .finally(() => transport.close());

    expect(error?.responseCode).toBe(552);
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });
});

describe('incoming SMTP: the number of recipients', () => {
  it('accepts 100 recipients in one message and writes one copy per mailbox', async () => {
    const { smtp, folders } = await start({ maxRecipients: 100 });
    const recipients = Array.from({ length: 100 }, (_, n) => `user${n}@other.test`); // the "*" rule: all to kid
    const client = await smtp.connect();

    const replies = await client.envelope('sender@remote.test', recipients);
    const reply = await client.data(testMessage({ subject: 'to a hundred' }));
    await client.quit();

    expect(replies.filter((each) => each.code !== 250)).toEqual([]);
    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.kid)).toHaveLength(1);
    expect(allMailFiles(smtp.dataDir)).toHaveLength(1);
  });

  it('delivers 100 recipients sent by nodemailer, none rejected', async () => {
    const { smtp, folders } = await start({ maxRecipients: 100 });
    const recipients = Array.from({ length: 100 }, (_, n) => `person${n}@example.test`); // no rule: the parent mailbox
    const transport = nodemailerTransport(smtp.port);

    const info = await transport
      .sendMail({ from: 'sender@remote.test', to: recipients, subject: 'newsletter', text: 'Hello all' })
      .finally(() => transport.close());

    expect(info.accepted).toHaveLength(100);
    expect(info.rejected).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.acme)).toHaveLength(1);
  });

  it('refuses the 101st recipient with 452 when the limit is 100, and still delivers to the first 100', async () => {
    const { smtp, folders } = await start({ maxRecipients: 100 });
    const recipients = Array.from({ length: 101 }, (_, n) => `user${n}@other.test`);
    const client = await smtp.connect();

    const replies = await client.envelope('sender@remote.test', recipients);

    expect(replies.slice(0, 100).every((each) => each.code === 250)).toBe(true);
    expect(replies[100]!.code).toBe(452);
    expect((await client.data(testMessage({ subject: 'hundred and one' }))).code).toBe(250);
    await client.quit();
    expect(maildirFiles(smtp.dataDir, folders.kid)).toHaveLength(1);
  });

  it('answers too many recipients with the reply-table text 452 4.5.3 (CONVENTIONS: too many recipients 452 4.5.3)', async () => {
    const { smtp } = await start({ maxRecipients: 100 });
    const recipients = Array.from({ length: 101 }, (_, n) => `user${n}@other.test`);
    const client = await smtp.connect();

    const replies = await client.envelope('sender@remote.test', recipients);
    await client.quit();

    expect(replies[100]!.raw).toMatch(/^452 4\.5\.3 /);
  });

  it('keeps accepting a repeated recipient after the limit is reached, since it adds no one', async () => {
    const { smtp } = await start({ maxRecipients: 100 });
    const recipients = [...Array.from({ length: 100 }, (_, n) => `user${n}@other.test`), 'USER7@other.test'];
    const client = await smtp.connect();

    const replies = await client.envelope('sender@remote.test', recipients);
    await client.quit();

    expect(replies[100]!.code).toBe(250);
  });
});
