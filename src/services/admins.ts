import { generatePassword, hashPassword } from './passwords.js';
import { parseInput, passwordSchema } from '../domain/schemas.js';
import { z } from 'zod';
import type { ServiceContext } from './context.js';

export const ADMIN_USERNAME = 'admin';

export function createAdminService({ db, repos }: ServiceContext) {
  const insertAdmin = db.transaction((passwordHash: string, mustChange: boolean) => {
    repos.usernames.claim(ADMIN_USERNAME, 'admin');
    return repos.admins.insert(ADMIN_USERNAME, passwordHash, mustChange);
  });

  return {
    /**
     * On the first start, creates the admin: with `presetPassword` (POSTYARD_ADMIN_PASSWORD) or a generated one that
     * the caller prints once and that must be changed at the first login. Returns null when an admin exists.
     */
    async ensureAdmin(presetPassword?: string): Promise<{ username: string; generatedPassword: string | null } | null> {
      if (repos.admins.count() > 0) return null;
      const password = presetPassword ?? generatePassword();
      parseInput(z.object({ POSTYARD_ADMIN_PASSWORD: passwordSchema }), { POSTYARD_ADMIN_PASSWORD: password });
      insertAdmin(await hashPassword(password), presetPassword === undefined);
      return { username: ADMIN_USERNAME, generatedPassword: presetPassword === undefined ? password : null };
    },

    async setPassword(username: string, password: string): Promise<void> {
      const admin = repos.admins.findByUsername(username);
      if (!admin) throw new Error(`no admin ${username}`);
      const parsed = parseInput(z.object({ password: passwordSchema }), { password });
      repos.admins.updatePassword(admin.id, await hashPassword(parsed.password));
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
