import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, accountHome, accountMaildir, mailboxFolder } from '../../src/domain/layout.js';

describe('layout', () => {
  it.each([
    { what: 'the database file', path: () => DATABASE_FILE, expected: 'postyard.db' },
    { what: "an account's home", path: () => accountHome('acme'), expected: 'homes/acme' },
    { what: "an account's own mailbox", path: () => accountMaildir('acme'), expected: 'homes/acme/Maildir' },
    { what: "a virtual account's folder, named by its address", path: () => mailboxFolder('acme', 'info@example.com'), expected: 'homes/acme/.mailboxes/info@example.com' },
    { what: "a POP mailbox's folder, named by its username", path: () => mailboxFolder('acme', 'bobpop'), expected: 'homes/acme/.mailboxes/bobpop' },
  ])('places $what at $expected, relative to the data folder', ({ path, expected }) => {
    expect(path()).toBe(expected);
  });
});
