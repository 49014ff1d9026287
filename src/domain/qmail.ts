import { parseAddress } from './address.js';
import { aliasLocalPartProblem, WILDCARD } from './map-file.js';

/**
 * vpopmail's `.qmail-<user>` forward files (seed 004, dot-qmail(5)): one delivery instruction a line. Forwards
 * (`&user@example.com` or a line starting with a letter or digit) are imported; programs (`|...`) and mbox or Maildir
 * paths (`/...`, `./...`) are reported as skipped; anything else is a bad line.
 */

export type QmailLine =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'forward'; address: string }
  | { kind: 'program'; command: string }
  | { kind: 'mailbox'; path: string }
  | { kind: 'bad'; problem: string };

export const QMAIL_FILE_PREFIX = '.qmail-';
/** vpopmail's catch-all file: mail for any local part without its own file or mailbox. */
export const QMAIL_DEFAULT = 'default';

export function parseQmailLine(raw: string): QmailLine {
  const line = raw.replace(/\r$/, '').trim();
  if (line === '') return { kind: 'blank' };
  if (line.startsWith('#')) return { kind: 'comment' };
  if (line.startsWith('|')) return { kind: 'program', command: line.slice(1).trim() };
  if (line.startsWith('/') || line.startsWith('./')) return { kind: 'mailbox', path: line };
  // dot-qmail(5): "&" marks a forward; a line starting with a letter or digit is one too.
  const target = line.startsWith('&') ? line.slice(1).trim() : /^[a-z0-9]/i.test(line) ? line : null;
  if (target === null) return { kind: 'bad', problem: `"${shown(line)}" is not a forward, a program (|) or a mailbox path (/ or ./)` };
  if (!target.includes('@')) return { kind: 'bad', problem: `"${shown(target)}" must be a full address, local@domain` };
  const parsed = parseAddress(target);
  if ('problem' in parsed) return { kind: 'bad', problem: parsed.problem };
  return { kind: 'forward', address: `${parsed.address.local}@${parsed.address.domain}` };
}

/**
 * The local part a `.qmail-<ext>` file is for: `default` is the "*" catch-all, and qmail writes a "." of the address
 * as ":" in the file name (dot-qmail(5)), so `.qmail-sales:team` is sales.team. Extension wildcards such as
 * `.qmail-sales-default` have no alias-rule equivalent and are refused by name.
 */
export function qmailFileLocalPart(fileName: string): { localPart: string } | { problem: string } {
  if (!fileName.startsWith(QMAIL_FILE_PREFIX)) return { problem: `${fileName} is not a .qmail-<user> file` };
  const extension = fileName.slice(QMAIL_FILE_PREFIX.length).toLowerCase();
  if (extension === QMAIL_DEFAULT) return { localPart: WILDCARD };
  if (extension.endsWith(`-${QMAIL_DEFAULT}`)) {
    return { problem: `${fileName} matches every address starting with "${extension.slice(0, -QMAIL_DEFAULT.length)}", which alias rules cannot express` };
  }
  const localPart = extension.replace(/:/g, '.');
  const problem = aliasLocalPartProblem(localPart);
  return problem ? { problem: `${fileName}: ${problem}` } : { localPart };
}

export interface QmailFileIssue {
  line: number;
  message: string;
}

export interface ParsedQmailFile {
  localPart: string;
  /** Forward targets in file order, each once. */
  addresses: string[];
  /** The file also delivers into a mailbox path: with forwards, that means "keep a copy". */
  deliversLocally: boolean;
  skipped: QmailFileIssue[];
  bad: QmailFileIssue[];
}

/** Reads one file: its local part from the name, its forwards, and every skipped and bad line with its number. */
export function parseQmailFile(fileName: string, text: string): ParsedQmailFile | { problem: string } {
  const target = qmailFileLocalPart(fileName);
  if ('problem' in target) return target;
  const parsed: ParsedQmailFile = { localPart: target.localPart, addresses: [], deliversLocally: false, skipped: [], bad: [] };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const instruction = parseQmailLine(raw);
    switch (instruction.kind) {
      case 'forward':
        if (!parsed.addresses.includes(instruction.address)) parsed.addresses.push(instruction.address);
        return;
      case 'program':
        parsed.skipped.push({ line, message: `program delivery "|${shown(instruction.command)}" is not imported` });
        return;
      case 'mailbox':
        parsed.deliversLocally = true;
        parsed.skipped.push({ line, message: `mailbox path "${shown(instruction.path)}" is not imported` });
        return;
      case 'bad':
        parsed.bad.push({ line, message: instruction.problem });
        return;
      default:
        return;
    }
  });
  return parsed;
}

/** Keeps a line short and free of terminal control characters when it is quoted back in a report. */
function shown(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return cut.replace(/[\u0000-\u001f\u007f]/g, '?');
}
