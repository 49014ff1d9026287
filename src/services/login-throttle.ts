/**
 * Counts failed logins per user name and per client address in a sliding window. Past the limit, logins are refused
 * without checking the password, with the same message whether or not the user exists.
 */
export interface ThrottleLimits {
  perUser: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60 * 1000 };

export function createLoginThrottle(limits: ThrottleLimits = DEFAULT_THROTTLE, now: () => number = Date.now) {
  const failures = new Map<string, number[]>();

  const recent = (key: string) => {
    const cutoff = now() - limits.windowMs;
    const kept = (failures.get(key) ?? []).filter((time) => time > cutoff);
    if (kept.length > 0) failures.set(key, kept);
    else failures.delete(key);
    return kept;
  };
  const keys = (user: string, address: string) => [`user:${user.trim().toLowerCase()}`, `addr:${address}`] as const;

  return {
    isBlocked(user: string, address: string): boolean {
      const [userKey, addressKey] = keys(user, address);
      return recent(userKey).length >= limits.perUser || recent(addressKey).length >= limits.perAddress;
    },
    recordFailure(user: string, address: string): void {
      for (const key of keys(user, address)) failures.set(key, [...recent(key), now()]);
    },
    recordSuccess(user: string): void {
      failures.delete(keys(user, '')[0]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
