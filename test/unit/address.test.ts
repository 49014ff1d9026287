import { describe, expect, it } from 'vitest';
import {
  MAX_ADDRESS_LENGTH,
  MAX_USERNAME_LENGTH,
  domainProblem,
  formatAddress,
  localPartProblem,
  parseAddress,
  usernameProblem,
} from '../../src/domain/address.js';

describe('parseAddress', () => {
  it.each([
    { text: 'info@example.com', local: 'info', domain: 'example.com' },
    { text: 'Info@Example.COM', local: 'info', domain: 'example.com' },
    { text: '  first.last@mail.example.co.uk ', local: 'first.last', domain: 'mail.example.co.uk' },
    { text: "o'brien+tag@example.com", local: "o'brien+tag", domain: 'example.com' },
    { text: 'x@xn--bcher-kva.example', local: 'x', domain: 'xn--bcher-kva.example' },
    { text: 'a@my-host.example.com', local: 'a', domain: 'my-host.example.com' },
  ])('splits and lower-cases "$text"', ({ text, local, domain }) => {
    expect(parseAddress(text)).toStrictEqual({ address: { local, domain } });
  });

  const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;

  it(`accepts an address of exactly ${MAX_ADDRESS_LENGTH} characters`, () => {
    expect(longest).toHaveLength(MAX_ADDRESS_LENGTH);
    expect(parseAddress(longest)).toHaveProperty('address');
  });

  it.each([
    { what: 'no @', text: 'info.example.com', problem: /not an address of the form/ },
    { what: 'two @ (the first one ends up in the local part)', text: 'a@b@example.com', problem: /not a valid local part/ },
    { what: 'two dots in a row', text: 'a..b@example.com', problem: /not a valid local part/ },
    { what: 'a leading dot', text: '.a@example.com', problem: /not a valid local part/ },
    { what: 'a trailing dot in the local part', text: 'a.@example.com', problem: /not a valid local part/ },
    { what: 'a slash', text: 'a/b@example.com', problem: /not a valid local part/ },
    { what: 'a backslash', text: 'a\\b@example.com', problem: /not a valid local part/ },
    { what: 'a NUL byte', text: 'a\u0000b@example.com', problem: /not a valid local part/ },
    { what: 'a space', text: 'a b@example.com', problem: /not a valid local part/ },
    { what: 'a quoted local part', text: '"a b"@example.com', problem: /not a valid local part/ },
    { what: 'a non-ASCII local part', text: 'j\u00fcrgen@example.com', problem: /not a valid local part/ },
    { what: 'an empty local part', text: '@example.com', problem: /local part is empty/ },
    { what: 'a 65-character local part', text: `${'a'.repeat(65)}@example.com`, problem: /longer than 64/ },
    { what: 'an empty domain', text: 'info@', problem: /domain is empty/ },
    { what: 'a one-label domain', text: 'info@localhost', problem: /at least two labels/ },
    { what: 'a domain with an empty label', text: 'info@example..com', problem: /not a valid domain/ },
    { what: 'a trailing dot in the domain', text: 'info@example.com.', problem: /not a valid domain/ },
    { what: 'a label starting with a hyphen', text: 'info@-example.com', problem: /not a valid domain/ },
    { what: 'an underscore in the domain', text: 'info@ex_ample.com', problem: /not a valid domain/ },
    { what: 'an address literal', text: 'info@[192.0.2.1]', problem: /not a valid domain/ },
    { what: `more than ${MAX_ADDRESS_LENGTH} characters`, text: `a${longest}`, problem: /longer than 254/ },
  ])('refuses an address with $what', ({ text, problem }) => {
    const parsed = parseAddress(text);
    expect(parsed).toHaveProperty('problem');
    if ('problem' in parsed) expect(parsed.problem).toMatch(problem);
  });

  it.each([
    { what: 'a NUL', text: 'a\u0000b@example.com', escaped: '\\u0000' },
    { what: 'a CR LF', text: 'a\r\nX-Evil: 1@example.com', escaped: '\\r\\n' },
    { what: 'an escape', text: '\u001b[31mred@example.com', escaped: '\\u001b' },
  ])('shows $what in a problem as an escape, never as the raw character', ({ text, escaped }) => {
    const parsed = parseAddress(text);
    expect('problem' in parsed && parsed.problem).toContain(escaped);
    expect('problem' in parsed && /[\u0000-\u001f\u007f]/.test(parsed.problem)).toBe(false);
  });

  it('keeps a problem message short even for a huge input', () => {
    const parsed = parseAddress(`${'x'.repeat(200)}`);
    expect('problem' in parsed && parsed.problem.length).toBeLessThan(150);
  });
});

describe('formatAddress', () => {
  it('joins a local part and a domain with @', () => {
    expect(formatAddress({ local: 'info', domain: 'example.com' })).toBe('info@example.com');
  });
});

describe('localPartProblem', () => {
  it.each([
    { local: 'info', ok: true },
    { local: 'first.last', ok: true },
    { local: 'a+b', ok: true },
    { local: 'a'.repeat(64), ok: true },
    { local: 'a'.repeat(65), ok: false },
    { local: '.', ok: false },
    { local: '..', ok: false },
    { local: 'a..b', ok: false },
    { local: 'a/b', ok: false },
    { local: '', ok: false },
    { local: 'Info', ok: false },
  ])('judges "$local" acceptable: $ok (callers lower-case first)', ({ local, ok }) => {
    expect(localPartProblem(local) === null).toBe(ok);
  });
});

describe('domainProblem', () => {
  it.each([
    { domain: 'example.com', ok: true },
    { domain: 'a.b.c.example.com', ok: true },
    { domain: `${'a'.repeat(63)}.com`, ok: true },
    { domain: `${'a'.repeat(64)}.com`, ok: false },
    { domain: `${'a.'.repeat(126)}com`.slice(0, 254), ok: false },
    { domain: 'example', ok: false },
    { domain: 'example-.com', ok: false },
    { domain: 'exa mple.com', ok: false },
    { domain: 'example.com/..', ok: false },
    { domain: '', ok: false },
  ])('judges "$domain" acceptable: $ok', ({ domain, ok }) => {
    expect(domainProblem(domain) === null).toBe(ok);
  });
});

describe('usernameProblem', () => {
  it.each([
    { name: 'bob', ok: true },
    { name: 'bob.smith', ok: true },
    { name: 'bob_smith-2', ok: true },
    { name: 'b', ok: true },
    { name: 'b'.repeat(MAX_USERNAME_LENGTH), ok: true },
    { name: 'b'.repeat(MAX_USERNAME_LENGTH + 1), ok: false },
    { name: '2bob', ok: false },
    { name: '_bob', ok: false },
    { name: 'bob..smith', ok: false },
    { name: 'bob.', ok: false },
    { name: 'bob/smith', ok: false },
    { name: 'bob@example.com', ok: false },
    { name: 'Bob', ok: false },
    { name: '', ok: false },
  ])('judges "$name" acceptable: $ok', ({ name, ok }) => {
    expect(usernameProblem(name) === null).toBe(ok);
  });
});
