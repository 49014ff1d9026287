import { parseAddress, usernameProblem } from './address.js';

/** What an alias rule does with mail for its local part (the Email Alias Manager's actions). */
export type AliasAction =
  | { kind: 'deliver'; username: string }
  | { kind: 'forward'; addresses: string[] }
  | { kind: 'fail'; message: string | null }
  | { kind: 'discard' };

export const MAX_FORWARD_ADDRESSES = 50;
const MAX_FAIL_MESSAGE_LENGTH = 200;

/**
 * Parses the text form of an action: a username, one or more comma-separated addresses, "fail", "fail: message"
 * or "discard". Returns the reason when the text is none of these.
 */
export function parseAliasAction(text: string): { action: AliasAction } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'the action is empty' };
  const failMatch = /^fail(?:\s*:\s*(.*))?$/is.exec(trimmed);
  if (failMatch) {
    const message = failMatch[1]?.trim() || null;
    if (message && message.length > MAX_FAIL_MESSAGE_LENGTH) {
      return { problem: `the fail message is longer than ${MAX_FAIL_MESSAGE_LENGTH} characters` };
    }
    // The message becomes part of an SMTP reply line: only printable ASCII keeps that reply well-formed.
    if (message && !/^[\x20-\x7e]+$/.test(message)) return { problem: 'the fail message must be printable ASCII text' };
    return { action: { kind: 'fail', message } };
  }
  if (/^discard$/i.test(trimmed)) return { action: { kind: 'discard' } };
  if (!trimmed.includes('@')) {
    const username = trimmed.toLowerCase();
    const problem = usernameProblem(username);
    return problem ? { problem } : { action: { kind: 'deliver', username } };
  }
  const addresses: string[] = [];
  for (const part of trimmed.split(',')) {
    const parsed = parseAddress(part);
    if ('problem' in parsed) return { problem: parsed.problem };
    const address = `${parsed.address.local}@${parsed.address.domain}`;
    if (!addresses.includes(address)) addresses.push(address);
  }
  if (addresses.length > MAX_FORWARD_ADDRESSES) {
    return { problem: `a rule may forward to at most ${MAX_FORWARD_ADDRESSES} addresses` };
  }
  return { action: { kind: 'forward', addresses } };
}

export function formatAliasAction(action: AliasAction): string {
  switch (action.kind) {
    case 'deliver':
      return action.username;
    case 'forward':
      return action.addresses.join(', ');
    case 'fail':
      return action.message ? `fail: ${action.message}` : 'fail';
    case 'discard':
      return 'discard';
  }
}
