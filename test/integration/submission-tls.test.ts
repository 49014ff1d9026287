import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/factories.js';
import {
  allMailFiles,
  authPlain,
  buildMailScenario,
  headerBlock,
  maildirFiles,
  startSmtpFixture,
  startSubmissionFixture,
  testMessage,
  testTlsKeyPair,
  type SmtpFixture,
  type SubmissionFixture,
} from '../helpers/smtp.js';

let submission: SubmissionFixture | undefined;
let incoming: SmtpFixture | undefined;

afterEach(async () => {
  await submission?.close();
  await incoming?.close();
  submission = undefined;
  incoming = undefined;
});

async function startSubmission() {
  submission = await startSubmissionFixture();
  const { folders } = await buildMailScenario(submission.services);
  return { smtp: submission, folders };
}

const features = (ehloText: string) => ehloText.split('\n').slice(1);

describe('submission: STARTTLS before AUTH', () => {
  it('offers STARTTLS but not AUTH on a plain connection, and AUTH PLAIN LOGIN once TLS is up', async () => {
    const { smtp } = await startSubmission();
    const client = await smtp.connect();

    const plain = await client.expect('EHLO laptop.client.test', 250);
    await client.startTls();
    const secure = await client.expect('EHLO laptop.client.test', 250);
    await client.quit();

    expect(features(plain.text)).toContain('STARTTLS');
    expect(features(plain.text).filter((line) => /^AUTH\b/.test(line))).toEqual([]);
    expect(features(secure.text)).toContain('AUTH PLAIN LOGIN');
    expect(features(secure.text)).not.toContain('STARTTLS');
  });

  it('refuses AUTH PLAIN before STARTTLS with 538 5.7.11, even with the right password, and then mail with 530', async () => {
    const { smtp } = await startSubmission();
    const client = await smtp.connect();
    await client.expect('EHLO laptop.client.test', 250);

    const auth = await client.command(`AUTH PLAIN ${authPlain('alice@example.test', PASSWORD)}`);
    const mail = await client.command('MAIL FROM:<alice@example.test>');
    const rcpt = await client.command('RCPT TO:<info@example.test>');
    await client.quit();

    expect(auth.raw).toMatch(/^538 5\.7\.11 /);
    expect(mail.raw).toMatch(/^530 5\.7\.0 /);
    expect(rcpt.code).toBe(530);
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('refuses AUTH LOGIN before STARTTLS at once, without asking for the user name or password', async () => {
    const { smtp } = await startSubmission();
    const client = await smtp.connect();
    await client.expect('EHLO laptop.client.test', 250);

    const reply = await client.command('AUTH LOGIN');
    await client.quit();

    expect(reply.raw).toMatch(/^538 5\.7\.11 /);
  });

  it('refuses mail without AUTH over TLS with 530 5.7.0 and delivers nothing', async () => {
    const { smtp } = await startSubmission();
    const client = await smtp.connect();
    await client.expect('EHLO laptop.client.test', 250);
    await client.startTls();
    await client.expect('EHLO laptop.client.test', 250);

    const mail = await client.command('MAIL FROM:<alice@example.test>');
    const data = await client.command('DATA');
    await client.quit();

    expect(mail.raw).toMatch(/^530 5\.7\.0 /);
    expect(data.code).toBe(530);
    expect(allMailFiles(smtp.dataDir)).toEqual([]);
    expect(smtp.services.queue.list()).toEqual([]);
  });

  it('serves the certificate it was given, never smtp-server\'s built-in one', async () => {
    const { smtp } = await startSubmission();
    const client = await smtp.connect();
    await client.expect('EHLO laptop.client.test', 250);

    const served = await client.startTls();
    await client.quit();

    const expected = new X509Certificate((await testTlsKeyPair()).cert);
    expect(served.fingerprint256).toBe(expected.fingerprint256);
    expect(served.subject.CN).toBe('mx.test.example');
  });
});

describe('incoming: STARTTLS without AUTH', () => {
  it('offers STARTTLS with a certificate, never AUTH, and delivers over TLS as ESMTPS', async () => {
    incoming = await startSmtpFixture({ tls: await testTlsKeyPair() });
    const { folders } = await buildMailScenario(incoming.services);
    const client = await incoming.connect();

    const plain = await client.expect('EHLO mx.remote.test', 250);
    await client.startTls();
    const secure = await client.expect('EHLO mx.remote.test', 250);
    const auth = await client.command(`AUTH PLAIN ${authPlain('alice@example.test', PASSWORD)}`);
    await client.expect('MAIL FROM:<sender@remote.test>', 250);
    await client.expect('RCPT TO:<alice@example.test>', 250);
    const reply = await client.data(testMessage({ subject: 'over TLS' }));
    await client.quit();

    expect(features(plain.text)).toContain('STARTTLS');
    expect([...features(plain.text), ...features(secure.text)].filter((line) => /^AUTH\b/.test(line))).toEqual([]);
    expect(auth.code).toBeGreaterThanOrEqual(500);
    expect(reply.code).toBe(250);
    const [file] = maildirFiles(incoming.dataDir, folders.alice);
    expect(headerBlock(file!.text)).toMatch(/with ESMTPS id /);
  });

  it('still refuses a relay over TLS: TLS is no permission to relay', async () => {
    incoming = await startSmtpFixture({ tls: await testTlsKeyPair() });
    await buildMailScenario(incoming.services);
    const client = await incoming.connect();
    await client.expect('EHLO mx.remote.test', 250);
    await client.startTls();

    const [reply] = await client.envelope('sender@remote.test', ['friend@remote.test'], 'mx.remote.test');
    await client.quit();

    expect(reply!.raw).toMatch(/^550 5\.7\.1 /);
    expect(incoming.services.queue.list()).toEqual([]);
  });
});
