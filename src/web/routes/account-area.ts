import type { FastifyRequest } from 'fastify';
import { PostyardError } from '../../domain/errors.js';
import type { Account } from '../../db/repositories/accounts.js';
import type { Services } from '../../services/index.js';
import { fieldErrors } from '../render.js';

/** The pages of one hosting account live under /accounts/<username>/ (the panel's fixed URL scheme). */
export const accountBase = (username: string) => `/accounts/${encodeURIComponent(username)}`;

/**
 * The account a page under /accounts/:username/ is about, looked up through the logged-in principal: another
 * account's name (or a child asking for its parent) is "not found", and the app answers 404.
 */
export function accountOf(services: Services, request: FastifyRequest): Account {
  const { username } = request.params as { username: string };
  return services.access.account(request.principal!, username);
}

/** What every account page shows about whose pages these are, so an admin or a parent knows which account it is in. */
export function accountView(request: FastifyRequest, account: Account) {
  return { username: account.username, base: accountBase(account.username), isOwn: request.principal?.name === account.username };
}

export type Refusal = { status: 400 | 403 | 409; errors: Record<string, string>; message: string; forbidden: boolean };

/**
 * Runs a service call for a form post. A refusal the user caused comes back as a value to show the form again with
 * (400 bad input, 403 not allowed, 409 a conflict with what exists); NOT_FOUND is thrown on, so the app answers with
 * its 404 page; anything else is our fault and stays an error.
 */
export async function attempt<T>(call: () => T | Promise<T>): Promise<{ value: T } | { refusal: Refusal }> {
  try {
    return { value: await call() };
  } catch (error) {
    if (!(error instanceof PostyardError) || error.code === 'NOT_FOUND') throw error;
    const status = error.code === 'FORBIDDEN' ? 403 : error.code === 'INVALID_INPUT' ? 400 : 409;
    return { refusal: { status, errors: fieldErrors(error), message: error.message, forbidden: error.code === 'FORBIDDEN' } };
  }
}
