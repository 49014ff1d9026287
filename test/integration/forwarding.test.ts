import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostyardError } from '../../src/domain/errors.js';
import {
  RawSmtpClient,
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

const refusal = (call: () => unknown): PostyardError => {
  try {
    call();
  } catch (error) {
    if (error instanceof PostyardError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe("a mailbox's own forwarding, over the real incoming listener", () => {
  it('forwards without a copy: the local target gets the file, the mailbox none, the remote target is queued', async () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: 'info@example.test, friend@elsewhere.test', keepCopy: false });

    const reply = await sendRaw(smtp.port, 'sender@remote.test', ['alice@example.test'], testMessage({ subject: 'for alice' }));

    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toEqual([]);
    const [copy] = maildirFiles(smtp.dataDir, folders.info);
    expect(copy?.text).toContain('Subject: for alice');
    expect(allMailFiles(smtp.dataDir)).toHaveLength(1);
    expect(smtp.services.queue.list()).toMatchObject([{ sender: 'sender@remote.test', recipient: 'friend@elsewhere.test' }]);
  });

  it('forwards with a copy: both the mailbox and the target get the message', async () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: ['info@example.test'], keepCopy: true });

    await sendRaw(smtp.port, 'sender@remote.test', ['alice@example.test'], testMessage({ subject: 'kept' }));

    expect(maildirFiles(smtp.dataDir, folders.alice).map((file) => file.text)).toEqual([expect.stringContaining('Subject: kept')]);
    expect(maildirFiles(smtp.dataDir, folders.info).map((file) => file.text)).toEqual([expect.stringContaining('Subject: kept')]);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it("forwards a POP mailbox's mail, reached through its default alias", async () => {
    smtp.services.forwarding.set('popbox', { addresses: 'alice@example.test', keepCopy: false });

    await sendRaw(smtp.port, 'sender@remote.test', ['popbox@example.test'], testMessage({ subject: 'to the pop box' }));

    expect(maildirFiles(smtp.dataDir, folders.popbox)).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('delivers to the mailbox again once the forwarding is removed', async () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: 'friend@elsewhere.test' });
    expect(smtp.services.forwarding.remove('alice@example.test')).toEqual({ addresses: ['friend@elsewhere.test'], keepCopy: false });

    await sendRaw(smtp.port, 'sender@remote.test', ['alice@example.test'], testMessage());

    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('answers 250 once for a message that reaches the same target twice, and writes one copy', async () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: 'info@example.test', keepCopy: false });
    const client = await RawSmtpClient.connect(smtp.port);
    try {
      const replies = await client.envelope('sender@remote.test', ['alice@example.test', 'info@example.test']);
      expect(replies.map((reply) => reply.code)).toEqual([250, 250]);
      expect((await client.data(testMessage())).code).toBe(250);
      await client.quit();
    } finally {
      client.destroy();
    }
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });
});

describe('forwarding refusals: nothing is changed', () => {
  it("refuses a forward to the mailbox's own address, naming the field", () => {
    const error = refusal(() => smtp.services.forwarding.set('alice@example.test', { addresses: 'friend@elsewhere.test, ALICE@example.test' }));
    expect(error.issues).toEqual([{ field: 'addresses', message: "alice@example.test is this mailbox's own address: its mail would come straight back" }]);
    expect(smtp.services.forwarding.get('alice@example.test')).toBeNull();
  });

  it("refuses a forward to a POP mailbox's own default alias", () => {
    const error = refusal(() => smtp.services.forwarding.set('popbox', { addresses: 'popbox@example.test' }));
    expect(error.issues[0]?.field).toBe('addresses');
  });

  it('refuses a malformed address, naming it', () => {
    const error = refusal(() => smtp.services.forwarding.set('alice@example.test', { addresses: 'friend@elsewhere.test, not-an-address' }));
    expect(error.issues).toEqual([{ field: 'addresses', message: 'not-an-address: "not-an-address" is not an address of the form local@domain' }]);
    expect(smtp.services.forwarding.get('alice@example.test')).toBeNull();
  });

  it('refuses an empty list of addresses', () => {
    const error = refusal(() => smtp.services.forwarding.set('alice@example.test', { addresses: ' , ' }));
    expect(error.issues).toEqual([{ field: 'addresses', message: 'give at least one address to forward to' }]);
  });

  it('refuses a forward that would loop back, and keeps the earlier forwarding', async () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: 'info@example.test' });
    const error = refusal(() => smtp.services.forwarding.set('info@example.test', { addresses: 'alice@example.test' }));
    expect(error.issues).toEqual([{ field: 'addresses', message: 'mail for info@example.test would be refused: the forwarding would loop' }]);
    expect(smtp.services.forwarding.get('info@example.test')).toBeNull();
    const reply = await sendRaw(smtp.port, 'sender@remote.test', ['alice@example.test'], testMessage());
    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });

  it('refuses a forward to an address whose rule fails', () => {
    const error = refusal(() => smtp.services.forwarding.set('alice@example.test', { addresses: 'gone@example.test' }));
    expect(error.issues[0]?.message).toBe('mail for alice@example.test would be refused: This person left the company');
  });

  it('records the change in the audit log, under the owning account', () => {
    smtp.services.forwarding.set('alice@example.test', { addresses: 'friend@elsewhere.test', keepCopy: true });
    const [entry] = smtp.services.audit.list(['acme']);
    expect(entry).toMatchObject({ action: 'virtual-account.forwarding', object: 'alice@example.test' });
  });
});
