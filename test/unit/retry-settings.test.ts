import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_QUEUE_LIFETIME_MS } from '../../src/domain/retry-schedule.js';
import { transportTls } from '../../src/services/outbound-relay.js';
import { relaySettingsOf } from '../../src/services/outbound-setup.js';

const HOUR = 3_600_000;

describe('the outbound queue settings', () => {
  it('holds mail (no relay client) with no relay host, and keeps mail 5 days by default', () => {
    const config = loadConfig({ POSTYARD_HOSTNAME: 'mx.example.test' });
    expect(relaySettingsOf(config)).toBeNull();
    expect(config.POSTYARD_QUEUE_LIFETIME).toBe(DEFAULT_QUEUE_LIFETIME_MS);
    expect(config.POSTYARD_RELAY_PORT).toBe(25);
  });

  it('reads the relay host, port, credentials, TLS mode and retry period', () => {
    const config = loadConfig({
      POSTYARD_HOSTNAME: 'mx.example.test',
      POSTYARD_RELAY_HOST: 'smtp.example.net',
      POSTYARD_RELAY_PORT: '587',
      POSTYARD_RELAY_USER: 'postyard',
      POSTYARD_RELAY_PASSWORD: 'relay secret',
      POSTYARD_RELAY_TLS: 'starttls',
      POSTYARD_QUEUE_LIFETIME: '36h',
    });
    expect(relaySettingsOf(config)).toEqual({
      host: 'smtp.example.net',
      port: 587,
      user: 'postyard',
      password: 'relay secret',
      tls: 'starttls',
      heloName: 'mx.example.test',
    });
    expect(config.POSTYARD_QUEUE_LIFETIME).toBe(36 * HOUR);
  });

  it('lists every bad queue setting at once', () => {
    const env = { POSTYARD_RELAY_HOST: 'smtp.example.net', POSTYARD_RELAY_PORT: '0', POSTYARD_RELAY_TLS: 'ssl', POSTYARD_QUEUE_LIFETIME: '5 days' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('POSTYARD_RELAY_PORT: must be 1-65535');
      expect(message).toContain('POSTYARD_RELAY_TLS: must be none, starttls or tls');
      expect(message).toContain('POSTYARD_QUEUE_LIFETIME: must be a duration like 5d, 36h or 90m');
    }
  });

  it.each([
    [{ POSTYARD_RELAY_USER: 'postyard' }, 'POSTYARD_RELAY_PASSWORD: must be set too when POSTYARD_RELAY_USER is'],
    [{ POSTYARD_RELAY_PASSWORD: 'secret' }, 'POSTYARD_RELAY_USER: must be set too when POSTYARD_RELAY_PASSWORD is'],
    [{ POSTYARD_RELAY_HOST: 'smtp example net' }, 'POSTYARD_RELAY_HOST: must be a host name or IP address'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('transportTls: POSTYARD_RELAY_TLS as nodemailer options', () => {
  it.each([
    { tls: 'tls' as const, user: undefined, options: { secure: true } },
    { tls: 'starttls' as const, user: undefined, options: { secure: false, requireTLS: true } },
    { tls: 'none' as const, user: 'postyard', options: { secure: false, ignoreTLS: true } },
    { tls: undefined, user: 'postyard', options: { secure: false, requireTLS: true } },
    { tls: undefined, user: undefined, options: { secure: false, opportunisticTLS: true, tls: { rejectUnauthorized: false } } },
  ])('maps $tls (user $user) to $options', ({ tls, user, options }) => {
    expect(transportTls({ tls, user })).toEqual(options);
  });
});
