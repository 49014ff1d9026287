import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDovecot } from '../helpers/dovecot.js';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';

const run = promisify(execFile);

/** Python's smtplib delivers, Python's imaplib reads: clients no one here wrote, against Postyard and Dovecot. */
const SEND = `
import smtplib, sys
smtplib.SMTP("127.0.0.1", int(sys.argv[1])).sendmail("alice@remote.example", [sys.argv[2]], "Subject: Read me over IMAP\\n\\nHello from Postyard.")
`;
const READ = `
import imaplib, json, ssl, sys
box = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
# Postyard's self-signed certificate, which the generated configuration hands to Dovecot: trusted here by choice.
insecure = ssl.create_default_context()
insecure.check_hostname = False
insecure.verify_mode = ssl.CERT_NONE
box.starttls(insecure)
try:
    box.login(sys.argv[2], sys.argv[3])
except imaplib.IMAP4.error as error:
    print(json.dumps({"refused": str(error)})); sys.exit(0)
count = int(box.select("INBOX")[1][0])
subjects = [box.fetch(str(n), "(BODY[HEADER.FIELDS (SUBJECT)])")[1][0][1].decode().strip() for n in range(1, count + 1)]
quota = box.getquotaroot("INBOX")[1]
box.logout()
print(json.dumps({"count": count, "subjects": subjects, "quota": [str(q) for q in quota]}))
`;

/** Dovecot refuses uid 0 for mail, so Postyard runs as root with mail files owned by vmail (.ci/run creates it). */
describe('IMAP through Dovecot on the same database and Maildir folders', () => {
  let served: ServedPostyard;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let imapPort: number;
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/postyard', ...args], { env: { ...process.env, POSTYARD_DATA_DIR: served.dataDir, POSTYARD_MAIL_USER: 'vmail' } });
  const read = async (user: string, password: string) =>
    JSON.parse((await run('python3', ['-c', READ, String(imapPort), user, password])).stdout) as { count?: number; subjects?: string[]; quota?: string[]; refused?: string };

  beforeAll(async () => {
    served = await servePostyard({ POSTYARD_MAIL_USER: 'vmail' });
    await cli('account', 'add', 'bill', '--password', 'bills-secret');
    await cli('domain', 'add', 'bill.test', '--account', 'bill');
    await cli('vadduser', '-q', '10M', 'info@bill.test', 'infos-secret');
    await cli('vadduser', 'noimap@bill.test', 'noimaps-secret');
    await cli('vmoduser', '-i', 'noimap@bill.test');
    imapPort = await freePort();
    const configDir = join(served.dataDir, 'dovecot');
    await cli('dovecot-config', '--dir', configDir, '--listen', '127.0.0.1', '--imap-port', String(imapPort), '--base-dir', join(served.dataDir, 'dovecot-run'));
    dovecot = await startDovecot(join(configDir, 'dovecot.conf'), imapPort, join(served.dataDir, 'dovecot-run'));
  });
  afterAll(async () => {
    await dovecot?.stop();
    await served?.stop();
  });

  it('lets a virtual account read over IMAP with STARTTLS, by its full address, the mail Postyard delivered', async () => {
    await run('python3', ['-c', SEND, String(served.smtpPort), 'info@bill.test']);
    const mailbox = await read('Info@Bill.test', 'infos-secret');
    expect(mailbox.count).toBe(1);
    expect(mailbox.subjects).toEqual(['Subject: Read me over IMAP']);
  });

  it("applies the mailbox's quota in Dovecot", async () => {
    const mailbox = await read('info@bill.test', 'infos-secret');
    expect(mailbox.quota?.join(' ')).toContain(`STORAGE`);
    expect(mailbox.quota?.join(' ')).toContain(`${10 * 1024}`);
  });

  it('refuses a wrong password and a mailbox with the no-IMAP flag', async () => {
    expect((await read('info@bill.test', 'wrong-password')).refused).toMatch(/AUTHENTICATIONFAILED/);
    expect((await read('noimap@bill.test', 'noimaps-secret')).refused).toMatch(/AUTHENTICATIONFAILED/);
  });

  it("lets an account read its own mailbox, where mail to unknown local parts lands", async () => {
    await run('python3', ['-c', SEND, String(served.smtpPort), 'nobody-here@bill.test']);
    const mailbox = await read('bill', 'bills-secret');
    expect(mailbox.subjects).toEqual(['Subject: Read me over IMAP']);
  });
});
