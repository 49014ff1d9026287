import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('starts on the embedded defaults of the README with no variable set', () => {
    const config = loadConfig({});
    expect(config.POSTYARD_DATA_DIR).toMatch(/\/data$/);
    expect([config.POSTYARD_HTTP_HOST, config.POSTYARD_HTTP_PORT]).toEqual(['127.0.0.1', 8080]);
    expect([config.POSTYARD_SMTP_PORT, config.POSTYARD_SUBMISSION_PORT, config.POSTYARD_POP3_PORT]).toEqual([2525, 2587, 2110]);
    expect(config.POSTYARD_MAX_MESSAGE_SIZE).toBe(25 * 1024 * 1024);
    expect(config.POSTYARD_SMTP_GREETING_DELAY).toBe(0);
  });

  it('reads sizes with K, M and G and ignores variables that are not its own', () => {
    const config = loadConfig({ POSTYARD_MAX_MESSAGE_SIZE: '10M', HOME: '/root', PATH: '/bin' });
    expect(config.POSTYARD_MAX_MESSAGE_SIZE).toBe(10 * 1024 * 1024);
  });

  it('lists every bad variable at once, each by name, instead of stopping at the first', () => {
    const bad = { POSTYARD_HTTP_PORT: 'eighty', POSTYARD_SMTP_PORT: '70000', POSTYARD_MAX_MESSAGE_SIZE: 'huge', POSTYARD_MAX_RECIPIENTS: '5' };
    let error: unknown;
    try {
      loadConfig(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of Object.keys(bad)) expect((error as Error).message).toContain(name);
  });
});
