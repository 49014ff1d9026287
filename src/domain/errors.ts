/** Stable codes for every refusal a user can cause; each adapter maps them in one place. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'NAME_TAKEN'
  | 'DOMAIN_TAKEN'
  | 'DOMAIN_NOT_HOSTED'
  | 'MAILBOX_EXISTS'
  | 'PLAN_LIMIT'
  | 'LOCKED_ALIAS'
  | 'IN_USE'
  | 'FORBIDDEN'
  | 'MAP_FILE_INVALID';

/** A problem tied to one input: a form field, a command-line argument or a map-file line. */
export interface FieldIssue {
  field: string;
  message: string;
  line?: number;
}

export class PostyardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'PostyardError';
  }
}

export function invalid(field: string, message: string): PostyardError {
  return new PostyardError('INVALID_INPUT', `${field}: ${message}`, [{ field, message }]);
}

export function notFound(what: string, name: string): PostyardError {
  return new PostyardError('NOT_FOUND', `${what} ${name} does not exist`);
}
