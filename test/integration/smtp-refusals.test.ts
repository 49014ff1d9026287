import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import {
  allMailFiles,
  buildMailScenario,
  maildirFiles,
  nodemailerTransport,
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

async function rcpt(recipient: string) {
  const client = await smtp.connect();
  try {
    const [reply] = await client.envelope('sender@remote.test', [recipient]);
    await client.quit();
    return reply!;
  } finally {
    client.destroy();
  }
}

describe('incoming SMTP: the relay allow list', () => {
  it('refuses a non-hosted domain until 127.0.0.1 is allowed, then queues it, without restarting the listener', async () => {
    const client = await smtp.connect();
    const [refused] = await client.envelope('sender@remote.test', ['friend@remote.test']);
    expect(refused!.code).toBe(550);
    expect(refused!.text).toMatch(/^5\.7\.1 <friend@remote\.test>/);
    await client.expect('RSET', 250);

    smtp.services.relay.allow('127.0.0.1');

    await client.expect('MAIL FROM:<sender@remote.test>', 250);
    expect((await client.command('RCPT TO:<friend@remote.test>')).code).toBe(250);
    expect((await client.data(testMessage({ subject: 'relayed' }))).code).toBe(250);
    await client.quit();

    const queued = smtp.services.queue.list();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ recipient: 'friend@remote.test', sender: 'sender@remote.test' });
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });

  it('accepts a relayed message from nodemailer on a new connection once a range holding the client is allowed', async () => {
    smtp.services.relay.allow('127.0.0.0/8');
    const transport = nodemailerTransport(smtp.port);

    const info = await transport
      .sendMail({ from: 'sender@remote.test', to: ['friend@remote.test', 'alice@example.test'], subject: 'mixed', text: 'hi' })
      .finally(() => transport.close());

    expect(info.rejected).toEqual([]);
    expect(smtp.services.queue.list().map((row) => row.recipient)).toEqual(['friend@remote.test']);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('refuses relaying again once the address is removed from the list', async () => {
    smtp.services.relay.allow('127.0.0.1');
    expect((await rcpt('friend@remote.test')).code).toBe(250);

    smtp.services.relay.deny('127.0.0.1');

    const reply = await rcpt('friend@remote.test');
    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.7\.1 /);
  });

  it('does not let an allow list entry for another network relay for this client', async () => {
    smtp.services.relay.allow('192.0.2.0/24');

    const reply = await rcpt('friend@remote.test');

    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.7\.1 /);
  });
});

describe('incoming SMTP: other refusals at RCPT', () => {
  it('refuses a forwarding loop with 550 5.4.6 instead of following it', async () => {
    smtp.services.aliases.set('ping@example.test', 'pong@example.test');
    smtp.services.aliases.set('pong@example.test', 'ping@example.test');

    const reply = await rcpt('ping@example.test');

    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.4\.6 <ping@example\.test>/);
  });

  it('refuses a virtual account flagged to bounce mail with 550 5.2.1', async () => {
    await smtp.services.mailboxes.updateSettings('alice@example.test', { flags: MAILBOX_FLAGS.bounceMail });

    const reply = await rcpt('alice@example.test');

    expect(reply.code).toBe(550);
    expect(reply.text).toMatch(/^5\.2\.1 <alice@example\.test>/);
  });

  it('still delivers to a disabled virtual account (disabled stops logins, not mail)', async () => {
    await smtp.services.mailboxes.updateSettings('alice@example.test', { disabled: true });
    const transport = nodemailerTransport(smtp.port);

    const info = await transport
      .sendMail({ from: 'sender@remote.test', to: 'alice@example.test', subject: 'while away', text: 'hi' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['alice@example.test']);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('closes a domain with a "*" fail rule: virtual accounts and named rules still receive, others get 550 5.1.1', async () => {
    smtp.services.aliases.set('*@example.test', 'fail: No such mailbox at example.test');

    expect((await rcpt('alice@example.test')).code).toBe(250);
    expect((await rcpt('sales@example.test')).code).toBe(250);
    const reply = await rcpt('stranger@example.test');
    expect(reply.code).toBe(550);
    expect(reply.text).toBe('5.1.1 <stranger@example.test>: No such mailbox at example.test');
  });

  it('refuses a changed rule at once, without restarting the listener', async () => {
    expect((await rcpt('sales@example.test')).code).toBe(250);

    smtp.services.aliases.set('sales@example.test', 'fail: Sales moved to sales@other.test');

    const reply = await rcpt('sales@example.test');
    expect(reply.code).toBe(550);
    expect(reply.text).toBe('5.1.1 <sales@example.test>: Sales moved to sales@other.test');
  });

  it('accepts RCPT TO:<Postmaster> without a domain, as RFC 5321 4.5.1 requires of every SMTP server', async () => {
    const reply = await rcpt('Postmaster');

    expect(reply.code).toBe(250);
  });
});
