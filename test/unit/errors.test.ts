import { describe, expect, it } from 'vitest';
import { PostyardError, invalid, notFound } from '../../src/domain/errors.js';

describe('errors', () => {
  it.each([
    {
      behaviour: 'invalid() names the field in the message and in its one issue',
      error: invalid('quota', 'must be a size'),
      code: 'INVALID_INPUT',
      message: 'quota: must be a size',
      issues: [{ field: 'quota', message: 'must be a size' }],
    },
    {
      behaviour: 'notFound() says what does not exist, with no issues',
      error: notFound('domain', 'example.com'),
      code: 'NOT_FOUND',
      message: 'domain example.com does not exist',
      issues: [],
    },
  ])('$behaviour', ({ error, code, message, issues }) => {
    expect(error).toBeInstanceOf(PostyardError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PostyardError');
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.issues).toStrictEqual(issues);
  });
});
