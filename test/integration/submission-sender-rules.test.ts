import { afterEach, describe, expect, it } from 'vitest';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import { allMailFiles, buildMailScenario, maildirFiles, startSubmissionFixture, type SubmissionFixture, type SubmissionLimits } from '../helpers/smtp.js';

let smtp: SubmissionFixture | undefined;

afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

async function start(limits: SubmissionLimits = {}) {
  smtp = await startSubmissionFixture(limits);
  const { folders } = await buildMailScenario(smtp.services);
  return { smtp, folders };
}

const message = (from: string, subject = 'hello') => `From: ${from}\nTo: someone@example.test\nSubject: ${subject}\n\nHi.\n`;

/** One complete message from an authenticated raw client; returns the MAIL, RCPT and final replies. */
async function send(fixture: SubmissionFixture, user: string, from: string, recipients: string[], text = message(from)) {
  const client = await fixture.login(user);
  try {
    const mail = await client.command(`MAIL FROM:<${from}>`);
    const rcpts = [];
    for (const recipient of recipients) rcpts.push(await client.command(`RCPT TO:<${recipient}>`));
    const data = mail.code === 250 && rcpts.some((reply) => reply.code === 250) ? await client.data(text) : null;
    await client.quit();
    return { mail, rcpts, data };
  } finally {
    client.destroy();
  }
}

function expectNothingSent(fixture: SubmissionFixture) {
  expect(allMailFiles(fixture.dataDir)).toEqual([]);
  expect(fixture.services.queue.list()).toEqual([]);
}

describe('submission: the envelope sender must be the user\'s', () => {
  it("refuses someone else's address at MAIL FROM with 553 5.7.1 and delivers nothing", async () => {
    const { smtp } = await start();

    const { mail } = await send(smtp, 'alice@example.test', 'info@example.test', ['friend@remote.test']);

    expect(mail.raw).toMatch(/^553 5\.7\.1 <info@example\.test>/);
    expectNothingSent(smtp);
  });

  it('refuses an address of a domain not hosted here with 553 5.7.1', async () => {
    const { smtp } = await start();

    const { mail } = await send(smtp, 'alice@example.test', 'ceo@bank.test', ['info@example.test']);

    expect(mail.raw).toMatch(/^553 5\.7\.1 /);
    expectNothingSent(smtp);
  });

  it('refuses the null sender on the submission port with 553 5.7.1', async () => {
    const { smtp } = await start();

    const { mail } = await send(smtp, 'alice@example.test', '', ['info@example.test']);

    expect(mail.raw).toMatch(/^553 5\.7\.1 /);
    expectNothingSent(smtp);
  });

  it("refuses a child account its parent's domain, but not the address a rule delivers to it", async () => {
    const { smtp, folders } = await start();

    const foreign = await send(smtp, 'kid', 'anyone@example.test', ['alice@example.test']);
    const own = await send(smtp, 'kid', 'sales@example.test', ['alice@example.test'], message('sales@example.test'));

    expect(foreign.mail.raw).toMatch(/^553 5\.7\.1 /);
    expect(own.data?.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('lets a virtual account send as an extra address of its own', async () => {
    const { smtp, folders } = await start();
    const alice = smtp.services.mailboxes.get('alice@example.test');
    smtp.runtime.db.prepare('INSERT INTO mailbox_addresses (address, mailbox_id) VALUES (?, ?)').run('a.smith@example.test', alice.id);

    const { mail, data } = await send(smtp, 'alice@example.test', 'a.smith@example.test', ['info@example.test'], message('a.smith@example.test'));

    expect(mail.code).toBe(250);
    expect(data?.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });
});

describe('submission: the From header must be the user\'s', () => {
  it("refuses a message whose From header is someone else's at DATA with 550 5.7.1 and delivers nothing", async () => {
    const { smtp } = await start();

    const { mail, data } = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test', 'friend@remote.test'], message('The Boss <boss@bank.test>'));

    expect(mail.code).toBe(250);
    expect(data!.raw).toMatch(/^550 5\.7\.1 .*<boss@bank\.test>/);
    expectNothingSent(smtp);
  });

  it('refuses a second, foreign From field behind the own one', async () => {
    const { smtp } = await start();
    const text = `From: alice@example.test\nFrom: boss@bank.test\nSubject: two senders\n\nHi.\n`;

    const { data } = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test'], text);

    expect(data!.raw).toMatch(/^550 5\.7\.1 /);
    expectNothingSent(smtp);
  });

  it('reads only the header block: an address after the empty line is body text', async () => {
    const { smtp, folders } = await start();
    const text = `From: Alice <alice@example.test>\nSubject: quoting\n\nFrom: boss@bank.test wrote:\n> hi\n`;

    const { data } = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test'], text);

    expect(data!.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });

  it("reports a foreign From to nodemailer as a 550 even when the envelope sender is the user's own", async () => {
    const { smtp } = await start();
    const transport = smtp.transport('alice@example.test');

    const error = await transport
      .sendMail({ envelope: { from: 'alice@example.test', to: ['info@example.test'] }, from: 'info@example.test', to: 'info@example.test', subject: 'x', text: 'x' })
      .then(
        () => null,
        (caught: unknown) => caught as { responseCode?: number },
      )
      .finally(() => transport.close());

    expect(error?.responseCode).toBe(550);
    expectNothingSent(smtp);
  });
});

describe('submission: recipients a message', () => {
  it('refuses the 51st recipient with 452 4.5.3 and delivers to the first 50 only', async () => {
    const { smtp } = await start();
    const recipients = Array.from({ length: 51 }, (_, n) => `friend${n}@remote.test`);

    const { rcpts, data } = await send(smtp, 'alice@example.test', 'alice@example.test', recipients);

    expect(rcpts.slice(0, 50).every((reply) => reply.code === 250)).toBe(true);
    expect(rcpts[50]!.raw).toMatch(/^452 4\.5\.3 /);
    expect(data!.code).toBe(250);
    const queued = smtp.services.queue.list().map((row) => row.recipient);
    expect(queued).toHaveLength(50);
    expect(queued).not.toContain('friend50@remote.test');
  });

  it('uses the configured limit, not the incoming listener\'s', async () => {
    const { smtp, folders } = await start({ maxRecipients: 2 });

    const { rcpts } = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test', 'friend@remote.test', 'acme@example.test']);

    expect(rcpts.map((reply) => reply.code)).toEqual([250, 250, 452]);
    expect(maildirFiles(smtp.dataDir, folders.acme)).toEqual([]);
  });
});

describe('submission: messages an hour', () => {
  it('refuses the next message at MAIL FROM with 451 4.7.1 once the hourly limit is used, and still after a restart', async () => {
    const { smtp, folders } = await start({ maxPerHour: 2 });
    for (const subject of ['one', 'two']) {
      const { data } = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test'], message('alice@example.test', subject));
      expect(data!.code).toBe(250);
    }

    const third = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test']);
    await smtp.restart();
    const afterRestart = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test']);

    expect(third.mail.raw).toMatch(/^451 4\.7\.1 too many messages sent in the last hour/);
    expect(afterRestart.mail.raw).toMatch(/^451 4\.7\.1 /);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(2);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('counts each user apart: another user still sends', async () => {
    const { smtp, folders } = await start({ maxPerHour: 1 });
    expect((await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test'])).data!.code).toBe(250);

    const other = await send(smtp, 'popbox', 'popbox@example.test', ['info@example.test'], message('popbox@example.test'));

    expect(other.data!.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(2);
  });

  it('does not count a refused message', async () => {
    const { smtp, folders } = await start({ maxPerHour: 1 });
    const refused = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test'], message('boss@bank.test'));

    const accepted = await send(smtp, 'alice@example.test', 'alice@example.test', ['info@example.test']);

    expect(refused.data!.code).toBe(550);
    expect(accepted.data!.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });

  it('refuses at the end of DATA when another session used the last message of the hour meanwhile', async () => {
    const { smtp, folders } = await start({ maxPerHour: 1 });
    const first = await smtp.login('alice@example.test');
    const second = await smtp.login('alice@example.test');
    for (const client of [first, second]) {
      await client.expect('MAIL FROM:<alice@example.test>', 250);
      await client.expect('RCPT TO:<info@example.test>', 250);
    }

    const replies = [await first.data(message('alice@example.test', 'first')), await second.data(message('alice@example.test', 'second'))];
    await first.quit();
    await second.quit();

    expect(replies.map((reply) => reply.code)).toEqual([250, 451]);
    expect(replies[1]!.raw).toMatch(/^451 4\.7\.1 /);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });
});

describe('submission: the no-relay flag (vmoduser -r)', () => {
  it('refuses a remote recipient with 550 5.7.1 and still delivers to a local one', async () => {
    const { smtp, folders } = await start();
    await smtp.services.mailboxes.updateSettings('alice@example.test', { flags: MAILBOX_FLAGS.noRelay });

    const { rcpts, data } = await send(smtp, 'alice@example.test', 'alice@example.test', ['friend@remote.test', 'info@example.test']);

    expect(rcpts[0]!.raw).toMatch(/^550 5\.7\.1 <friend@remote\.test>/);
    expect(rcpts[1]!.code).toBe(250);
    expect(data!.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
    expect(smtp.services.queue.list()).toEqual([]);
  });
});
