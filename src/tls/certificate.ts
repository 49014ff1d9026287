import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { ConfigError } from '../config.js';

/** The key and certificate chain (PEM) that both SMTP listeners offer after STARTTLS. */
export interface TlsKeyPair {
  key: string;
  cert: string;
}

export interface TlsCertificate extends TlsKeyPair {
  /** Configured through POSTYARD_TLS_CERT/POSTYARD_TLS_KEY, or the self-signed one in the data folder. */
  source: 'configured' | 'self-signed';
  /** For a self-signed certificate: made on this start, or found from an earlier one. */
  created: boolean;
  certFile: string;
  keyFile: string;
  subject: string;
  validTo: Date;
  /** SHA-256 of the certificate, colon-separated hex: what a mail client shows when it asks to trust it. */
  fingerprint: string;
}

/** A certificate or key that cannot be used: start-up stops with this message (exit status 2, like a bad setting). */
export class TlsSetupError extends ConfigError {}

export const SELF_SIGNED_FOLDER = 'tls';
export const SELF_SIGNED_KEY = 'self-signed.key';
export const SELF_SIGNED_CERT = 'self-signed.crt';
/** Ten years: nobody can renew a self-signed certificate for the clients that were told to trust it. */
const SELF_SIGNED_DAYS = 3650;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TlsSettings {
  certFile?: string | undefined;
  keyFile?: string | undefined;
  dataDir: string;
  hostname: string;
  now?: Date;
}

/**
 * The certificate for STARTTLS: the configured files when there are any (refusing a missing, unreadable or mismatched
 * one), else data/tls/self-signed.{key,crt} for the host name, made on the first start and reused on every later one.
 * Never smtp-server's built-in certificate, whose private key is published with it.
 */
export async function loadTlsCertificate(settings: TlsSettings): Promise<TlsCertificate> {
  if (settings.certFile && settings.keyFile) {
    const cert = readPem(settings.certFile, 'POSTYARD_TLS_CERT', 'certificate');
    const key = readPem(settings.keyFile, 'POSTYARD_TLS_KEY', 'private key');
    const checked = checkPair(cert, key, `POSTYARD_TLS_CERT ${settings.certFile} and POSTYARD_TLS_KEY ${settings.keyFile}`);
    return { source: 'configured', created: false, certFile: settings.certFile, keyFile: settings.keyFile, key, cert, ...describe(checked) };
  }
  const folder = join(settings.dataDir, SELF_SIGNED_FOLDER);
  const certFile = join(folder, SELF_SIGNED_CERT);
  const keyFile = join(folder, SELF_SIGNED_KEY);
  const now = settings.now ?? new Date();
  const existing = reusableSelfSigned(certFile, keyFile, settings.hostname, now);
  if (existing) return { source: 'self-signed', created: false, certFile, keyFile, ...existing };

  const made = await createSelfSigned(settings.hostname, now);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  // Key first: a crash between the two renames leaves a pair that does not match, which the next start replaces.
  writePrivate(keyFile, made.key);
  writePrivate(certFile, made.cert);
  return { source: 'self-signed', created: true, certFile, keyFile, ...made, ...describe(new X509Certificate(made.cert)) };
}

function readPem(file: string, variable: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TlsSetupError(`${variable}: cannot read the ${what} ${file}: ${reason}`);
  }
}

/** The certificate parsed, the key parsed, the one belonging to the other, and both usable by Node's TLS. */
function checkPair(cert: string, key: string, where: string): X509Certificate {
  let certificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new TlsSetupError(`${where}: the certificate file is not a PEM certificate`);
  }
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsSetupError(`${where}: the key file is not an unencrypted PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new TlsSetupError(`${where}: the private key does not belong to the certificate`);
  try {
    createSecureContext({ key, cert });
  } catch (error) {
    throw new TlsSetupError(`${where}: not usable for TLS: ${(error as Error).message}`);
  }
  return certificate;
}

function describe(certificate: X509Certificate) {
  return { subject: certificate.subject, validTo: new Date(certificate.validTo), fingerprint: certificate.fingerprint256 };
}

/** The self-signed pair of an earlier start, if both files are there, match, cover the host name and are still valid. */
function reusableSelfSigned(certFile: string, keyFile: string, hostname: string, now: Date) {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
  } catch {
    return null;
  }
  try {
    const certificate = checkPair(cert, key, certFile);
    const valid = new Date(certificate.validTo).getTime() - now.getTime() > DAY_MS;
    return valid && certificate.checkHost(hostname) ? { key, cert, ...describe(certificate) } : null;
  } catch {
    return null; // damaged or half-written: made again
  }
}

async function createSelfSigned(hostname: string, now: Date): Promise<TlsKeyPair> {
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'rsa', // RSA rather than ECDSA: the widest range of mail clients can use it
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY_MS), // a client whose clock runs a little behind still accepts it
    notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** Written beside the target and renamed over it, owner-only from the start. */
function writePrivate(file: string, content: string) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content, { mode: 0o600, flag: 'w' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
