import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('the sending and TLS settings', () => {
  it('defaults to 50 recipients a message and 500 messages an hour (seed 001) and to no configured certificate', () => {
    const config = loadConfig({});

    expect(config.POSTYARD_SEND_MAX_RECIPIENTS).toBe(50);
    expect(config.POSTYARD_SEND_MAX_PER_HOUR).toBe(500);
    expect(config.POSTYARD_TLS_CERT).toBeUndefined();
    expect(config.POSTYARD_TLS_KEY).toBeUndefined();
  });

  it('reads both limits and resolves the certificate paths', () => {
    const config = loadConfig({
      POSTYARD_SEND_MAX_RECIPIENTS: '20',
      POSTYARD_SEND_MAX_PER_HOUR: '100',
      POSTYARD_TLS_CERT: '/etc/ssl/mail/fullchain.pem',
      POSTYARD_TLS_KEY: '/etc/ssl/mail/privkey.pem',
    });

    expect(config).toMatchObject({
      POSTYARD_SEND_MAX_RECIPIENTS: 20,
      POSTYARD_SEND_MAX_PER_HOUR: 100,
      POSTYARD_TLS_CERT: '/etc/ssl/mail/fullchain.pem',
      POSTYARD_TLS_KEY: '/etc/ssl/mail/privkey.pem',
    });
  });

  it.each([
    { behaviour: 'refuses zero recipients a message', env: { POSTYARD_SEND_MAX_RECIPIENTS: '0' }, variable: 'POSTYARD_SEND_MAX_RECIPIENTS' },
    { behaviour: 'refuses a fraction of a message an hour', env: { POSTYARD_SEND_MAX_PER_HOUR: '2.5' }, variable: 'POSTYARD_SEND_MAX_PER_HOUR' },
    { behaviour: 'refuses a word as the hourly limit', env: { POSTYARD_SEND_MAX_PER_HOUR: 'many' }, variable: 'POSTYARD_SEND_MAX_PER_HOUR' },
    { behaviour: 'refuses a certificate without its key', env: { POSTYARD_TLS_CERT: '/etc/ssl/mail/cert.pem' }, variable: 'POSTYARD_TLS_KEY' },
    { behaviour: 'refuses a key without its certificate', env: { POSTYARD_TLS_KEY: '/etc/ssl/mail/key.pem' }, variable: 'POSTYARD_TLS_CERT' },
  ])('$behaviour, naming the variable', ({ env, variable }) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${variable}: `));
  });
});
