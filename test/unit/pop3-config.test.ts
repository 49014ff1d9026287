import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('POP3 settings', () => {
  it('listens on 0.0.0.0:2110 by default, with no implicit-TLS port', () => {
    const config = loadConfig({});
    expect(config.POSTYARD_POP3_HOST).toBe('0.0.0.0');
    expect(config.POSTYARD_POP3_PORT).toBe(2110);
    expect(config.POSTYARD_POP3S_PORT).toBeUndefined();
  });

  it('reads the production ports', () => {
    const config = loadConfig({ POSTYARD_POP3_PORT: '110', POSTYARD_POP3S_PORT: '995' });
    expect([config.POSTYARD_POP3_PORT, config.POSTYARD_POP3S_PORT]).toEqual([110, 995]);
  });

  it('lists both bad POP3 ports at once', () => {
    expect(() => loadConfig({ POSTYARD_POP3_PORT: 'pop', POSTYARD_POP3S_PORT: '70000' })).toThrow(ConfigError);
    try {
      loadConfig({ POSTYARD_POP3_PORT: 'pop', POSTYARD_POP3S_PORT: '70000' });
    } catch (error) {
      expect((error as Error).message).toContain('POSTYARD_POP3_PORT');
      expect((error as Error).message).toContain('POSTYARD_POP3S_PORT');
    }
  });
});
