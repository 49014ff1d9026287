/**
 * Addresses, local parts, domains and usernames. Every name that becomes part of a folder path passes through here:
 * the character sets exclude "/", NUL and control characters, and no name may be "." or contain "..".
 */
export const MAX_ADDRESS_LENGTH = 254; // RFC 5321 4.5.3.1.3, less the angle brackets
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;

// Dot-atom (RFC 5322 3.2.3) without "/" so that a local part is always a safe folder-name component.
const LOCAL_PART = /^[a-z0-9!#$%&'*+=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const USERNAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;
export const MAX_USERNAME_LENGTH = 32;
/** Words that an alias action reads as an action, so that no user may be named by them. */
const RESERVED_USERNAMES = new Set(['fail', 'discard']);

export interface Address {
  local: string;
  domain: string;
}

export function localPartProblem(local: string): string | null {
  if (local.length === 0) return 'the local part is empty';
  if (local.length > MAX_LOCAL_LENGTH) return `the local part is longer than ${MAX_LOCAL_LENGTH} characters`;
  if (!LOCAL_PART.test(local)) return `"${printable(local)}" is not a valid local part`;
  return null;
}

export function domainProblem(domain: string): string | null {
  if (domain.length === 0) return 'the domain is empty';
  if (domain.length > MAX_DOMAIN_LENGTH) return `the domain is longer than ${MAX_DOMAIN_LENGTH} characters`;
  const labels = domain.split('.');
  if (labels.length < 2) return `"${printable(domain)}" needs at least two labels, like example.com`;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return `"${printable(domain)}" is not a valid domain name`;
  return null;
}

export function usernameProblem(name: string): string | null {
  if (name.length === 0) return 'the username is empty';
  if (name.length > MAX_USERNAME_LENGTH) return `the username is longer than ${MAX_USERNAME_LENGTH} characters`;
  if (!USERNAME.test(name)) {
    return `"${printable(name)}" must start with a letter and use only a-z, 0-9, ".", "_" and "-"`;
  }
  if (RESERVED_USERNAMES.has(name)) return `"${name}" is reserved: an alias action with this word means ${name}`;
  return null;
}

/** Splits and lower-cases "Local@Domain"; null with a reason when it is not an address we accept. */
export function parseAddress(text: string): { address: Address } | { problem: string } {
  const lowered = text.trim().toLowerCase();
  if (lowered.length > MAX_ADDRESS_LENGTH) return { problem: `the address is longer than ${MAX_ADDRESS_LENGTH} characters` };
  const at = lowered.lastIndexOf('@');
  if (at < 0) return { problem: `"${printable(lowered)}" is not an address of the form local@domain` };
  const local = lowered.slice(0, at);
  const domain = lowered.slice(at + 1);
  const problem = localPartProblem(local) ?? domainProblem(domain);
  return problem ? { problem } : { address: { local, domain } };
}

export function formatAddress(address: Address): string {
  return `${address.local}@${address.domain}`;
}

/** Shows control characters as escapes so that a message never carries raw terminal or header bytes. */
function printable(text: string): string {
  return JSON.stringify(text.slice(0, 80)).slice(1, -1);
}
