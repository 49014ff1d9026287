import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/factories.js';
import { allMailFiles, authPlain, buildMailScenario, headerBlock, maildirFiles, startSubmissionFixture, submissionTransport, type SubmissionFixture } from '../helpers/smtp.js';

let smtp: SubmissionFixture | undefined;

afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function start() {
  smtp = await startSubmissionFixture();
  const { folders } = await buildMailScenario(smtp.services);
  return { smtp, folders };
}

/** What a refused nodemailer send reports. */
async function refusal(send: Promise<unknown>) {
  return send.then(
    () => null,
    (error: unknown) => error as { responseCode?: number; response?: string },
  );
}

/** The reply to AUTH PLAIN over TLS on a new connection. */
async function authReply(fixture: SubmissionFixture, username: string, password: string) {
  const client = await fixture.connect();
  try {
    await client.expect('EHLO laptop.client.test', 250);
    await client.startTls();
    await client.expect('EHLO laptop.client.test', 250);
    const reply = await client.command(`AUTH PLAIN ${authPlain(username, password)}`);
    await client.quit();
    return reply;
  } finally {
    client.destroy();
  }
}

function expectNothingSent(fixture: SubmissionFixture) {
  expect(allMailFiles(fixture.dataDir)).toEqual([]);
  expect(fixture.services.queue.list()).toEqual([]);
}

describe('submission: a mail client set up as seed 000 (port 587, STARTTLS, the full address as user name)', () => {
  it('sends to a local virtual account: the message lands in its Maildir, received with ESMTPSA', async () => {
    const { smtp, folders } = await start();
    const transport = smtp.transport('alice@example.test');

    const info = await transport
      .sendMail({ from: 'Alice <alice@example.test>', to: 'info@example.test', subject: 'from my laptop', text: 'Hello Info' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['info@example.test']);
    const [file] = maildirFiles(smtp.dataDir, folders.info);
    expect(file!.text).toContain('Subject: from my laptop');
    expect(headerBlock(file!.text)).toMatch(/with ESMTPSA id /);
    expect(headerBlock(file!.text)).toMatch(/^Return-Path: <alice@example\.test>$/m);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('sends to a remote address: one row in the outbound queue, no mail file', async () => {
    const { smtp } = await start();
    const transport = smtp.transport('alice@example.test');

    const info = await transport
      .sendMail({ from: 'alice@example.test', to: 'friend@remote.test', subject: 'leaving the server', text: 'hi' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['friend@remote.test']);
    const queued = smtp.services.queue.list();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ sender: 'alice@example.test', recipient: 'friend@remote.test' });
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
  });

  it('sends one message to local and remote recipients with AUTH LOGIN', async () => {
    const { smtp, folders } = await start();
    const transport = submissionTransport(smtp.port, 'alice@example.test', PASSWORD, 'LOGIN');

    const info = await transport
      .sendMail({ from: 'alice@example.test', to: ['info@example.test', 'friend@remote.test'], subject: 'both', text: 'hi' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['info@example.test', 'friend@remote.test']);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
    expect(smtp.services.queue.list().map((row) => row.recipient)).toEqual(['friend@remote.test']);
  });

  it('lets a POP mailbox log in with its user name and send as its default alias', async () => {
    const { smtp, folders } = await start();
    const transport = smtp.transport('popbox');

    const info = await transport
      .sendMail({ from: 'popbox@example.test', to: 'alice@example.test', subject: 'from the POP box', text: 'hi' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['alice@example.test']);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('lets an account log in with its user name and send as any address of the domains it hosts', async () => {
    const { smtp } = await start();
    const transport = smtp.transport('acme');

    const info = await transport
      .sendMail({ from: 'billing@other.test', to: 'friend@remote.test', subject: 'your invoice', text: 'hi' })
      .finally(() => transport.close());

    expect(info.accepted).toEqual(['friend@remote.test']);
    expect(smtp.services.queue.list()[0]).toMatchObject({ sender: 'billing@other.test' });
  });
});

describe('submission: refused logins', () => {
  it('refuses a wrong password with 535 5.7.8 and sends nothing', async () => {
    const { smtp } = await start();
    const transport = submissionTransport(smtp.port, 'alice@example.test', 'wrong-password');

    const error = await refusal(
      transport.sendMail({ from: 'alice@example.test', to: 'info@example.test', subject: 'x', text: 'x' }).finally(() => transport.close()),
    );
    const raw = await authReply(smtp, 'alice@example.test', 'wrong-password');

    expect(error?.responseCode).toBe(535);
    expect(raw.raw).toMatch(/^535 5\.7\.8 /);
    expectNothingSent(smtp);
  });

  it('throttles a user after 5 failed logins: even the right password then gets 454 4.7.0', async () => {
    const { smtp } = await start();
    for (let attempt = 0; attempt < 5; attempt++) expect((await authReply(smtp, 'alice@example.test', `guess-${attempt}`)).code).toBe(535);

    const blocked = await authReply(smtp, 'alice@example.test', PASSWORD);
    const otherUser = await authReply(smtp, 'info@example.test', PASSWORD);

    expect(blocked.raw).toMatch(/^454 4\.7\.0 /);
    expect(otherUser.code).toBe(235); // the per-user limit is not the per-address one
    expectNothingSent(smtp);
  });

  it('throttles a client address after 20 failed logins over any user names', async () => {
    const { smtp } = await start();
    for (let attempt = 0; attempt < 20; attempt++) expect((await authReply(smtp, `nobody${attempt}@example.test`, 'guess')).code).toBe(535);

    const blocked = await authReply(smtp, 'alice@example.test', PASSWORD);

    expect(blocked.raw).toMatch(/^454 4\.7\.0 /);
    expectNothingSent(smtp);
  });

  it('refuses a disabled mailbox with 535, though its password is right, and sends nothing', async () => {
    const { smtp } = await start();
    await smtp.services.mailboxes.updateSettings('alice@example.test', { disabled: true });
    const transport = smtp.transport('alice@example.test');

    const error = await refusal(
      transport.sendMail({ from: 'alice@example.test', to: 'info@example.test', subject: 'x', text: 'x' }).finally(() => transport.close()),
    );

    expect(error?.responseCode).toBe(535);
    expectNothingSent(smtp);
  });

  it('refuses the admin with 535: the admin runs the server and does not send mail', async () => {
    const { smtp } = await start();
    const admin = await smtp.services.admins.ensureAdmin('admin-secret-1');

    const reply = await authReply(smtp, admin!.username, 'admin-secret-1');

    expect(reply.raw).toMatch(/^535 5\.7\.8 /);
    expectNothingSent(smtp);
  });

  it('refuses MAIL FROM with 530 5.7.0 once the mailbox was disabled after its login', async () => {
    const { smtp } = await start();
    const client = await smtp.login('alice@example.test');
    await smtp.services.mailboxes.updateSettings('alice@example.test', { disabled: true });

    const reply = await client.command('MAIL FROM:<alice@example.test>');
    await client.quit();

    expect(reply.raw).toMatch(/^530 5\.7\.0 /);
    expectNothingSent(smtp);
  });
});
