import { localPartProblem } from './address.js';
import { parseAliasAction, formatAliasAction, type AliasAction } from './alias-action.js';
import type { FieldIssue } from './errors.js';

/** One rule of a domain: a local part, or "*" for every other local part, and its action. */
export interface AliasRuleDraft {
  localPart: string;
  action: AliasAction;
}

/** A rule read from a map file, with the line it came from. */
export interface MapFileRule extends AliasRuleDraft {
  line: number;
}

export const WILDCARD = '*';
export const MAX_MAP_FILE_LINES = 10_000;

export function aliasLocalPartProblem(localPart: string): string | null {
  return localPart === WILDCARD ? null : localPartProblem(localPart);
}

/**
 * Parses a map file: one "local-part: action" a line, blank lines and "#" comment lines ignored. Every bad line is
 * reported with its number, so a whole file can be fixed in one go.
 */
export function parseMapFile(text: string): { rules: MapFileRule[] } | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const rules: MapFileRule[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // a final newline ends the last line; it does not start another
  if (lines.length > MAX_MAP_FILE_LINES) {
    return { issues: [{ field: 'mapfile', message: `a map file may have at most ${MAX_MAP_FILE_LINES} lines` }] };
  }
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const report = (message: string) => issues.push({ field: 'mapfile', line, message });
    const colon = trimmed.indexOf(':');
    if (colon < 0) return report('expected "local-part: action"');
    const localPart = trimmed.slice(0, colon).trim().toLowerCase();
    const problem = aliasLocalPartProblem(localPart);
    if (problem) return report(problem);
    const parsed = parseAliasAction(trimmed.slice(colon + 1));
    if ('problem' in parsed) return report(parsed.problem);
    const earlier = seen.get(localPart);
    if (earlier !== undefined) return report(`"${localPart}" already has a rule on line ${earlier}`);
    seen.set(localPart, line);
    rules.push({ localPart, action: parsed.action, line });
  });
  return issues.length > 0 ? { issues } : { rules };
}

export function formatRuleLine(rule: AliasRuleDraft): string {
  return `${rule.localPart}: ${formatAliasAction(rule.action)}`;
}
