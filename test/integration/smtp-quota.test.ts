import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/factories.js';
import { allMailFiles, maildirFiles, sendRaw, startSmtpFixture, testMessage, type SmtpFixture } from '../helpers/smtp.js';

let smtp: SmtpFixture;

beforeEach(async () => {
  smtp = await startSmtpFixture();
});

afterEach(async () => {
  await smtp.close();
});

const ALICE = 'alice@example.test';
const ALICE_FOLDER = 'homes/acme/.mailboxes/alice@example.test';
let handCounter = 0;

/** Puts a message of exactly `bytes` bytes into a Maildir's new/ by hand, named with its size tag as Maildir++ does. */
function fillByHand(folder: string, bytes: number): string {
  const name = `1700000000.M${++handCounter}P1Q1.handfilled,S=${bytes}`;
  const header = 'Subject: filler\n\n';
  writeFileSync(join(smtp.dataDir, folder, 'new', name), header + 'f'.repeat(Math.max(0, bytes - header.length)), { mode: 0o600 });
  return name;
}

async function hostAlice(extra: { mailboxQuota?: number; diskQuota?: number; quota?: number } = {}) {
  await smtp.services.accounts.create({
    username: 'acme',
    password: PASSWORD,
    ...(extra.mailboxQuota !== undefined ? { mailboxQuota: extra.mailboxQuota } : {}),
    ...(extra.diskQuota !== undefined ? { diskQuota: extra.diskQuota } : {}),
  });
  smtp.services.domains.add({ name: 'example.test', account: 'acme' });
  await smtp.services.mailboxes.createVirtualAccount({
    address: ALICE,
    password: PASSWORD,
    ...(extra.quota !== undefined ? { quota: extra.quota } : {}),
  });
}

async function rcptReply(recipient = ALICE) {
  const client = await smtp.connect();
  try {
    const [reply] = await client.envelope('sender@remote.test', [recipient]);
    await client.quit();
    return reply!;
  } finally {
    client.destroy();
  }
}

const subjectsIn = (folder: string) =>
  maildirFiles(smtp.dataDir, folder).map((file) => /^Subject: (.*)$/m.exec(file.text)?.[1] ?? '');

describe('incoming SMTP: mailbox quotas', () => {
  it('refuses a virtual account at its limit at RCPT with 552 5.2.2 and writes nothing', async () => {
    await hostAlice({ quota: 5000 });
    const filler = fillByHand(ALICE_FOLDER, 5000);

    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toBe('5.2.2 <alice@example.test>: mailbox full');
    expect(maildirFiles(smtp.dataDir, ALICE_FOLDER).map((file) => file.name)).toEqual([filler]);
    expect(maildirFiles(smtp.dataDir, ALICE_FOLDER, 'tmp')).toEqual([]);
  });

  it('accepts mail below the limit and refuses once SMTP deliveries have filled the mailbox', async () => {
    await hostAlice({ quota: 3000 });

    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'big', bodyBytes: 3200 }))).code).toBe(250);
    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.2\.2 /);
    expect(subjectsIn(ALICE_FOLDER).filter((subject) => subject === 'big')).toHaveLength(1);
  });

  it('refuses at RCPT when the SIZE declared at MAIL FROM does not fit in the room left, and accepts one that fits', async () => {
    await hostAlice({ quota: 5000 });
    fillByHand(ALICE_FOLDER, 3000);
    const client = await smtp.connect();
    await client.expect('EHLO client.remote.test', 250);

    await client.expect('MAIL FROM:<sender@remote.test> SIZE=2500', 250);
    const tooBig = await client.command(`RCPT TO:<${ALICE}>`);
    await client.expect('RSET', 250);
    await client.expect('MAIL FROM:<sender@remote.test> SIZE=1500', 250);
    const fits = await client.command(`RCPT TO:<${ALICE}>`);
    await client.quit();

    expect(tooBig.code).toBe(552);
    expect(tooBig.text).toMatch(/^5\.2\.2 /);
    expect(fits.code).toBe(250);
  });

  it('takes its limit from a .quota file written by hand into the mailbox folder', async () => {
    await hostAlice();
    fillByHand(ALICE_FOLDER, 4000);
    expect((await rcptReply()).code).toBe(250);

    writeFileSync(join(smtp.dataDir, ALICE_FOLDER, '.quota'), '4000\n');
    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.2\.2 <alice@example\.test>/);
  });

  it('reads a hand-written Maildir++ .quota file ("<bytes>S,<count>C")', async () => {
    await hostAlice();
    fillByHand(ALICE_FOLDER, 2000);
    writeFileSync(join(smtp.dataDir, ALICE_FOLDER, '.quota'), '2000S,100C\n');

    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.2\.2 /);
  });

  it("applies the account's default mailbox quota to a virtual account without its own", async () => {
    await hostAlice({ mailboxQuota: 3000 });
    fillByHand(ALICE_FOLDER, 2999);
    expect((await rcptReply()).code).toBe(250);
    fillByHand(ALICE_FOLDER, 1);

    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toBe('5.2.2 <alice@example.test>: mailbox full');
  });

  it("lets a mailbox's own quota override the account default", async () => {
    await hostAlice({ mailboxQuota: 3000, quota: 10_000 });
    fillByHand(ALICE_FOLDER, 5000);

    expect((await rcptReply()).code).toBe(250);
  });

  it("refuses with 552 5.2.2 when the account's disk quota is used up, even if the mailbox has room", async () => {
    await hostAlice({ diskQuota: 6000 });
    fillByHand('homes/acme/Maildir', 6000);

    const reply = await rcptReply();

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.2\.2 <alice@example\.test>: .*disk quota/);
    expect(maildirFiles(smtp.dataDir, ALICE_FOLDER)).toEqual([]);
  });

  it('refuses the parent mailbox (fall-through) once the disk quota is used up by mail delivered over SMTP', async () => {
    await hostAlice({ diskQuota: 4000 });
    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'fills', bodyBytes: 4200 }))).code).toBe(250);

    const reply = await rcptReply('whoever@example.test');

    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.2\.2 /);
  });

  it('refuses only the full recipient and delivers to the others in the same message', async () => {
    await hostAlice({ quota: 1000 });
    await smtp.services.mailboxes.createVirtualAccount({ address: 'bob@example.test', password: PASSWORD });
    fillByHand(ALICE_FOLDER, 1000);

    const client = await smtp.connect();
    const replies = await client.envelope('sender@remote.test', [ALICE, 'bob@example.test']);
    expect(replies.map((reply) => reply.code)).toEqual([552, 250]);
    expect((await client.data(testMessage({ subject: 'for both' }))).code).toBe(250);
    await client.quit();

    expect(maildirFiles(smtp.dataDir, 'homes/acme/.mailboxes/bob@example.test')).toHaveLength(1);
    expect(maildirFiles(smtp.dataDir, ALICE_FOLDER)).toHaveLength(1); // the hand-written filler only
  });
});

describe('incoming SMTP: the 90 % warning', () => {
  it('puts exactly one warning into the mailbox when a delivery crosses 90 %, and no second one below 100 %', async () => {
    await hostAlice({ quota: 100_000 });
    fillByHand(ALICE_FOLDER, 85_000);

    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'crosses', bodyBytes: 6000 }))).code).toBe(250);
    const afterCrossing = subjectsIn(ALICE_FOLDER);
    expect(afterCrossing.filter((subject) => /full/i.test(subject))).toHaveLength(1);
    expect(afterCrossing).toContain('crosses');

    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'after', bodyBytes: 1000 }))).code).toBe(250);
    const usage = await smtp.services.quotas.mailboxUsage(smtp.services.mailboxes.get(ALICE));
    expect(usage.usage).toBeLessThan(100_000);
    const afterSecond = subjectsIn(ALICE_FOLDER);
    expect(afterSecond).toContain('after');
    expect(afterSecond.filter((subject) => /full/i.test(subject))).toHaveLength(1);
  });

  it('addresses the warning to the mailbox and marks it auto-generated', async () => {
    await hostAlice({ quota: 10_000 });
    fillByHand(ALICE_FOLDER, 8800);

    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'crosses' }))).code).toBe(250);

    const warning = maildirFiles(smtp.dataDir, ALICE_FOLDER).find((file) => /^Subject: .*full/m.test(file.text));
    expect(warning).toBeDefined();
    expect(warning!.text).toMatch(/^To: <alice@example\.test>$/m);
    expect(warning!.text).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(Number(/,S=(\d+)/.exec(warning!.name)![1])).toBe(warning!.size);
  });

  it('sends no warning for a delivery that stays under 90 %', async () => {
    await hostAlice({ quota: 100_000 });
    fillByHand(ALICE_FOLDER, 10_000);

    expect((await sendRaw(smtp.port, 'sender@remote.test', [ALICE], testMessage({ subject: 'small' }))).code).toBe(250);

    expect(subjectsIn(ALICE_FOLDER).filter((subject) => /full/i.test(subject))).toEqual([]);
    expect(allMailFiles(smtp.dataDir)).toHaveLength(2);
  });
});
