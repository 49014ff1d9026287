import { describe, expect, it } from 'vitest';
import type { FieldIssue } from '../../src/domain/errors.js';
import {
  MAX_MAP_FILE_LINES,
  aliasLocalPartProblem,
  formatRuleLine,
  parseMapFile,
  type MapFileRule,
} from '../../src/domain/map-file.js';

const rulesOf = (text: string): MapFileRule[] => {
  const parsed = parseMapFile(text);
  if ('issues' in parsed) throw new Error(`unexpected issues: ${JSON.stringify(parsed.issues)}`);
  return parsed.rules;
};

const issuesOf = (text: string): FieldIssue[] => {
  const parsed = parseMapFile(text);
  if ('rules' in parsed) throw new Error(`expected issues, got ${parsed.rules.length} rules`);
  return parsed.issues;
};

describe('parseMapFile: good files', () => {
  it.each<{ behaviour: string; text: string; rules: MapFileRule[] }>([
    { behaviour: 'reads an empty file as no rules', text: '', rules: [] },
    { behaviour: 'ignores blank lines, whitespace-only lines and # comments', text: '# aliases\n\n   \n  # indented comment\n', rules: [] },
    {
      behaviour: 'reads one rule a line, numbered by the line it is on',
      text: '# sales team\nsales: acmesales\n\ninfo: bob@example.com, pat@elsewhere.net\n',
      rules: [
        { localPart: 'sales', action: { kind: 'deliver', username: 'acmesales' }, line: 2 },
        { localPart: 'info', action: { kind: 'forward', addresses: ['bob@example.com', 'pat@elsewhere.net'] }, line: 4 },
      ],
    },
    {
      behaviour: 'reads a * rule for every other local part',
      text: 'sales: acmesales\n*: fail: No such address',
      rules: [
        { localPart: 'sales', action: { kind: 'deliver', username: 'acmesales' }, line: 1 },
        { localPart: '*', action: { kind: 'fail', message: 'No such address' }, line: 2 },
      ],
    },
    {
      behaviour: 'splits at the first colon so a fail message may hold colons',
      text: 'old: fail: moved: write to new@example.com',
      rules: [{ localPart: 'old', action: { kind: 'fail', message: 'moved: write to new@example.com' }, line: 1 }],
    },
    {
      behaviour: 'reads discard and bare fail rules',
      text: 'spam: discard\ngone: fail',
      rules: [
        { localPart: 'spam', action: { kind: 'discard' }, line: 1 },
        { localPart: 'gone', action: { kind: 'fail', message: null }, line: 2 },
      ],
    },
    {
      behaviour: 'reads CRLF line ends like LF ones, with the same line numbers',
      text: '# windows\r\nsales: acmesales\r\n\r\n*: discard\r\n',
      rules: [
        { localPart: 'sales', action: { kind: 'deliver', username: 'acmesales' }, line: 2 },
        { localPart: '*', action: { kind: 'discard' }, line: 4 },
      ],
    },
    {
      behaviour: 'lower-cases local parts and tolerates spaces around the colon',
      text: '  Sales   :   AcmeSales  ',
      rules: [{ localPart: 'sales', action: { kind: 'deliver', username: 'acmesales' }, line: 1 }],
    },
  ])('$behaviour', ({ text, rules }) => {
    expect(rulesOf(text)).toStrictEqual(rules);
  });
});

describe('parseMapFile: bad files', () => {
  it.each<{ behaviour: string; text: string; issues: { line: number; message: RegExp }[] }>([
    { behaviour: 'reports a line without a colon', text: 'sales acmesales', issues: [{ line: 1, message: /expected "local-part: action"/ }] },
    { behaviour: 'reports an empty local part', text: ': acmesales', issues: [{ line: 1, message: /local part is empty/ }] },
    { behaviour: 'reports a local part with a slash', text: 'a/b: acmesales', issues: [{ line: 1, message: /not a valid local part/ }] },
    { behaviour: 'reports a full address used as a local part', text: 'sales@example.com: acmesales', issues: [{ line: 1, message: /not a valid local part/ }] },
    { behaviour: 'reports an empty action', text: 'sales:', issues: [{ line: 1, message: /action is empty/ }] },
    { behaviour: 'reports a bad fail message', text: 'gone: fail: caf\u00e9 ferm\u00e9', issues: [{ line: 1, message: /printable ASCII/ }] },
    {
      behaviour: 'reports every bad line at once, each with its own number',
      text: '# header\nsales acmesales\ninfo: acmesales\nbad/part: x\n\nx: a..b@example.com\n',
      issues: [
        { line: 2, message: /expected "local-part: action"/ },
        { line: 4, message: /not a valid local part/ },
        { line: 6, message: /not a valid local part/ },
      ],
    },
    {
      behaviour: 'reports a repeated local part naming the line of the earlier rule',
      text: 'sales: acmesales\ninfo: bobpop\nSALES: discard',
      issues: [{ line: 3, message: /"sales" already has a rule on line 1/ }],
    },
    {
      behaviour: 'reports a second * rule naming the line of the first',
      text: '*: discard\n\n*: fail',
      issues: [{ line: 3, message: /"\*" already has a rule on line 1/ }],
    },
    {
      behaviour: 'numbers bad lines correctly in a CRLF file',
      text: 'ok: acmesales\r\n\r\nnot ok\r\n',
      issues: [{ line: 3, message: /expected/ }],
    },
  ])('$behaviour', ({ text, issues }) => {
    const found = issuesOf(text);
    expect(found).toHaveLength(issues.length);
    issues.forEach((expected, i) => {
      expect(found[i]).toMatchObject({ field: 'mapfile', line: expected.line });
      expect(found[i]!.message).toMatch(expected.message);
    });
  });

  it(`refuses a file of more than ${MAX_MAP_FILE_LINES} lines with one issue and no line number`, () => {
    const text = Array.from({ length: MAX_MAP_FILE_LINES + 1 }, (_, i) => `u${i}: discard`).join('\n');
    expect(issuesOf(text)).toStrictEqual([{ field: 'mapfile', message: `a map file may have at most ${MAX_MAP_FILE_LINES} lines` }]);
  });

  it(`accepts ${MAX_MAP_FILE_LINES} lines without a final newline`, () => {
    const text = Array.from({ length: MAX_MAP_FILE_LINES }, (_, i) => `u${i}: discard`).join('\n');
    expect(rulesOf(text)).toHaveLength(MAX_MAP_FILE_LINES);
  });

  // Guards a fixed bug: text.split(/\r?\n/) yields one extra empty element after the final newline
  // that every text file (and the panel's own getMapFile export) ends with, so a file of exactly 10,000 lines is refused.
  it(`accepts ${MAX_MAP_FILE_LINES} lines that end with a newline, as text files and exports do`, () => {
    const text = `${Array.from({ length: MAX_MAP_FILE_LINES }, (_, i) => `u${i}: discard`).join('\n')}\n`;
    expect(rulesOf(text)).toHaveLength(MAX_MAP_FILE_LINES);
  });
});

describe('formatRuleLine', () => {
  it.each([
    { rule: { localPart: 'sales', action: { kind: 'deliver' as const, username: 'acmesales' } }, line: 'sales: acmesales' },
    { rule: { localPart: '*', action: { kind: 'fail' as const, message: 'No such address' } }, line: '*: fail: No such address' },
    { rule: { localPart: 'team', action: { kind: 'forward' as const, addresses: ['a@x.com', 'b@y.org'] } }, line: 'team: a@x.com, b@y.org' },
    { rule: { localPart: 'spam', action: { kind: 'discard' as const } }, line: 'spam: discard' },
  ])('writes "$line"', ({ rule, line }) => {
    expect(formatRuleLine(rule)).toBe(line);
  });

  it('writes lines that parse back to the same rules, in order', () => {
    const text = 'sales: acmesales\nteam: a@x.com, b@y.org\nold: fail: moved: ask sales\nspam: discard\n*: fail';
    const rules = rulesOf(text);
    const rewritten = rules.map(formatRuleLine).join('\n');
    expect(rewritten).toBe(text);
    expect(rulesOf(rewritten)).toStrictEqual(rules);
  });
});

describe('aliasLocalPartProblem', () => {
  it.each([
    { localPart: '*', ok: true },
    { localPart: 'info', ok: true },
    { localPart: 'first.last', ok: true },
    { localPart: 'a/b', ok: false },
    { localPart: 'a..b', ok: false },
    { localPart: '', ok: false },
  ])('judges "$localPart" acceptable: $ok', ({ localPart, ok }) => {
    expect(aliasLocalPartProblem(localPart) === null).toBe(ok);
  });
});
