import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/server.js';
import { TlsSetupError, loadTlsCertificate } from '../../src/tls/certificate.js';
import { RawSmtpClient } from '../helpers/smtp.js';

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'postyard-cert-test-'));
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const HOSTNAME = 'mail.cert.test';

/** `postyard serve` as far as the listeners go: config from the environment, the runtime, startServer. */
async function startPostyard(env: Record<string, string> = {}) {
  const config = loadConfig({
    POSTYARD_DATA_DIR: folder,
    POSTYARD_HTTP_PORT: '0',
    POSTYARD_SMTP_HOST: '127.0.0.1',
    POSTYARD_SMTP_PORT: '0',
    POSTYARD_SUBMISSION_PORT: '0',
    POSTYARD_POP3_HOST: '127.0.0.1',
    POSTYARD_POP3_PORT: '0',
    POSTYARD_HOSTNAME: HOSTNAME,
    ...env,
  });
  const runtime = openRuntime({ dataDir: config.POSTYARD_DATA_DIR, hostname: config.POSTYARD_HOSTNAME });
  try {
    const server = await startServer(runtime, config, pino({ level: 'silent' }));
    return {
      server,
      async stop() {
        await server.close();
        runtime.close();
      },
    };
  } catch (error) {
    runtime.close();
    throw error;
  }
}

async function servedFingerprint(address: string): Promise<string> {
  const client = await RawSmtpClient.connect(Number(address.split(':').pop()));
  try {
    await client.expect('EHLO laptop.client.test', 250);
    const certificate = await client.startTls();
    await client.quit();
    return certificate.fingerprint256;
  } finally {
    client.destroy();
  }
}

describe('the self-signed certificate', () => {
  it('is created in the data folder on the first start and reused, same fingerprint, on the second', async () => {
    const first = await startPostyard();
    const firstServed = [await servedFingerprint(first.server.addresses.submission), await servedFingerprint(first.server.addresses.smtp)];
    await first.stop();
    const certFile = join(folder, 'tls', 'self-signed.crt');
    const pemAfterFirst = readFileSync(certFile, 'utf8');

    const second = await startPostyard();
    const secondServed = await servedFingerprint(second.server.addresses.submission);
    await second.stop();

    expect(first.server.tls).toMatchObject({ source: 'self-signed', created: true, certFile });
    expect(second.server.tls).toMatchObject({ source: 'self-signed', created: false, certFile, fingerprint: first.server.tls.fingerprint });
    expect(firstServed).toEqual([first.server.tls.fingerprint, first.server.tls.fingerprint]);
    expect(secondServed).toBe(first.server.tls.fingerprint);
    expect(readFileSync(certFile, 'utf8')).toBe(pemAfterFirst);
  });

  it('names the host, and keeps the key and the certificate readable by their owner only', async () => {
    const tls = await loadTlsCertificate({ dataDir: folder, hostname: HOSTNAME });

    const certificate = new X509Certificate(readFileSync(tls.certFile));
    expect(certificate.subject).toBe(`CN=${HOSTNAME}`);
    expect(certificate.checkHost(HOSTNAME)).toBe(HOSTNAME);
    expect(statSync(tls.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(tls.certFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder, 'tls')).mode & 0o777).toBe(0o700);
  });

  it('is made again when the host name changes, since the old one would not name the server', async () => {
    const before = await loadTlsCertificate({ dataDir: folder, hostname: HOSTNAME });

    const after = await loadTlsCertificate({ dataDir: folder, hostname: 'mx.renamed.test' });

    expect(after.created).toBe(true);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.subject).toBe('CN=mx.renamed.test');
  });

  it('is made again when its files were damaged', async () => {
    const before = await loadTlsCertificate({ dataDir: folder, hostname: HOSTNAME });
    writeFileSync(before.certFile, 'not a certificate');

    const after = await loadTlsCertificate({ dataDir: folder, hostname: HOSTNAME });

    expect(after.created).toBe(true);
    expect(new X509Certificate(readFileSync(after.certFile)).fingerprint256).toBe(after.fingerprint);
  });
});

describe('a configured certificate (POSTYARD_TLS_CERT, POSTYARD_TLS_KEY)', () => {
  /** A real pair to configure: made by the self-signed code in a folder of its own. */
  async function makePair(hostname = 'mail.customer.test') {
    const made = await loadTlsCertificate({ dataDir: join(folder, 'elsewhere'), hostname });
    return { cert: made.certFile, key: made.keyFile, fingerprint: made.fingerprint };
  }

  it('is served on both listeners, and no self-signed one is made', async () => {
    const pair = await makePair();

    const running = await startPostyard({ POSTYARD_TLS_CERT: pair.cert, POSTYARD_TLS_KEY: pair.key });
    const served = [await servedFingerprint(running.server.addresses.submission), await servedFingerprint(running.server.addresses.smtp)];
    await running.stop();

    expect(running.server.tls).toMatchObject({ source: 'configured', certFile: pair.cert, fingerprint: pair.fingerprint });
    expect(served).toEqual([pair.fingerprint, pair.fingerprint]);
    expect(() => statSync(join(folder, 'tls'))).toThrow();
  });

  it('stops the start with a clear error naming the variable and the file when the certificate file is missing', async () => {
    const pair = await makePair();
    const missing = join(folder, 'nope.pem');

    const started = startPostyard({ POSTYARD_TLS_CERT: missing, POSTYARD_TLS_KEY: pair.key });

    await expect(started).rejects.toThrow(TlsSetupError);
    await expect(started).rejects.toThrow(`POSTYARD_TLS_CERT: cannot read the certificate ${missing}: no such file`);
  });

  it('stops the start when the key file holds no key', async () => {
    const pair = await makePair();
    const notAKey = join(folder, 'key.pem');
    writeFileSync(notAKey, readFileSync(pair.cert));

    await expect(startPostyard({ POSTYARD_TLS_CERT: pair.cert, POSTYARD_TLS_KEY: notAKey })).rejects.toThrow(
      /the key file is not an unencrypted PEM private key/,
    );
  });

  it('stops the start when the key belongs to another certificate', async () => {
    const pair = await makePair('one.customer.test');
    const other = await loadTlsCertificate({ dataDir: join(folder, 'other'), hostname: 'two.customer.test' });

    await expect(startPostyard({ POSTYARD_TLS_CERT: pair.cert, POSTYARD_TLS_KEY: other.keyFile })).rejects.toThrow(
      /the private key does not belong to the certificate/,
    );
  });
});
