import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allMailFiles, buildMailScenario, maildirFiles, sendRaw, startSmtpFixture, testMessage, type SmtpFixture } from '../helpers/smtp.js';

let smtp: SmtpFixture;
let folders: Awaited<ReturnType<typeof buildMailScenario>>['folders'];

beforeEach(async () => {
  smtp = await startSmtpFixture();
  ({ folders } = await buildMailScenario(smtp.services));
});

afterEach(async () => {
  await smtp.close();
});

/**
 * Replaces a Maildir subfolder with a regular file, so that creating or renaming a message there fails with ENOTDIR.
 * Unlike chmod this also fails for root, which the tests may run as.
 */
function breakSubfolder(folder: string, sub: 'new' | 'tmp') {
  const path = join(smtp.dataDir, folder, sub);
  rmSync(path, { recursive: true, force: true });
  writeFileSync(path, 'not a folder\n');
}

function repairSubfolder(folder: string, sub: 'new' | 'tmp') {
  const path = join(smtp.dataDir, folder, sub);
  rmSync(path, { force: true });
  mkdirSync(path, { mode: 0o700 });
}

async function sendTo(recipients: string[], subject: string) {
  const client = await smtp.connect();
  try {
    const replies = await client.envelope('sender@remote.test', recipients);
    expect(replies.map((reply) => reply.code)).toEqual(recipients.map(() => 250));
    const reply = await client.data(testMessage({ subject }));
    expect((await client.command('NOOP')).code).toBe(250);
    await client.quit();
    return reply;
  } finally {
    client.destroy();
  }
}

describe('incoming SMTP: a disk failure is a temporary failure', () => {
  it("answers 451 4.3.0 when the mailbox's new/ cannot take the message, so the sender retries", async () => {
    breakSubfolder(folders.alice, 'new');

    const reply = await sendTo(['alice@example.test'], 'cannot land');

    expect(reply.raw).toBe('451 4.3.0 local error in processing, please try again later');
  });

  it('leaves no message file behind in tmp/ after a failed rename into new/', async () => {
    breakSubfolder(folders.alice, 'new');

    const reply = await sendTo(['alice@example.test'], 'cannot land');

    expect(reply.code).toBe(451);
    expect(maildirFiles(smtp.dataDir, folders.alice, 'tmp').map((file) => file.name)).toEqual([]);
  });

  it('answers 451 4.3.0 when tmp/ cannot take the message, and delivers exactly one copy on the retry once repaired', async () => {
    breakSubfolder(folders.alice, 'tmp');

    const failed = await sendTo(['alice@example.test'], 'first try');
    expect(failed.code).toBe(451);
    expect(failed.text).toMatch(/^4\.3\.0 /);
    expect(allMailFiles(smtp.dataDir)).toEqual([]);

    repairSubfolder(folders.alice, 'tmp');
    const retried = await sendTo(['alice@example.test'], 'first try');

    expect(retried.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.alice)).toHaveLength(1);
  });

  it('withdraws the copies already written when another copy of the same message fails, so a retry cannot duplicate', async () => {
    breakSubfolder(folders.info, 'tmp');

    const failed = await sendTo(['alice@example.test', 'info@example.test'], 'half delivered');
    expect(failed.code).toBe(451);
    // Any write still in flight when the 451 went out finishes before this later message is acknowledged.
    expect((await sendRaw(smtp.port, 'sender@remote.test', ['sales@example.test'], testMessage({ subject: 'later' }))).code).toBe(250);

    expect(maildirFiles(smtp.dataDir, folders.alice).map((file) => file.name)).toEqual([]);
    expect(maildirFiles(smtp.dataDir, folders.alice, 'tmp').map((file) => file.name)).toEqual([]);
  });

  it('keeps serving other mailboxes while one mailbox is broken', async () => {
    breakSubfolder(folders.alice, 'new');
    expect((await sendTo(['alice@example.test'], 'broken')).code).toBe(451);

    const reply = await sendTo(['info@example.test'], 'fine');

    expect(reply.code).toBe(250);
    expect(maildirFiles(smtp.dataDir, folders.info)).toHaveLength(1);
  });
});
