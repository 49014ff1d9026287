/**
 * POP3 command lines (RFC 1939 section 3, RFC 2449 section 4): a case-insensitive keyword, then arguments separated by
 * spaces. PASS takes the rest of the line as one argument, since RFC 1939 lets a password contain spaces.
 */
export interface Pop3Command {
  keyword: string;
  args: string[];
  /** Everything after the keyword and its separating space, as typed (PASS uses it). */
  rest: string;
}

/**
 * RFC 2449 limits a command line to 255 octets; an AUTH continuation line carries base64 credentials and may be
 * longer (RFC 5034 section 4), so the transport accepts lines up to this many octets and refuses longer ones.
 */
export const MAX_LINE_OCTETS = 2048;

/** The keyword and arguments of one line (without its CRLF); null for a blank line. */
export function parseCommandLine(line: string): Pop3Command | null {
  const trimmedStart = line.replace(/^[ \t]+/, '');
  if (trimmedStart.trim() === '') return null;
  const space = trimmedStart.search(/[ \t]/);
  const keyword = (space < 0 ? trimmedStart : trimmedStart.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : trimmedStart.slice(space + 1);
  const args = rest.trim() === '' ? [] : rest.trim().split(/[ \t]+/);
  return { keyword, args, rest };
}

/** A message number as RFC 1939 writes them: a positive decimal without sign or leading zeros; null otherwise. */
export function parseMessageNumber(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9]\d{0,8}$/.test(text)) return null;
  return Number(text);
}

/** TOP's second argument: a non-negative number of body lines. */
export function parseLineCount(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}
