import { hostname } from 'node:os';

/**
 * Maildir file names of the standard form "<seconds>.M<micros>P<pid>Q<n>.<host>,S=<size>": unique across processes
 * and deliveries, with the Maildir++ size tag so usage is counted from names alone.
 * The host part escapes "/" and ":" as the Maildir specification asks.
 */
const host = hostname().replace(/\//g, '\\057').replace(/:/g, '\\072');
let counter = 0;

export function uniqueMaildirName(size: number, now = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const micros = (now.getTime() % 1000) * 1000 + Math.floor(Math.random() * 1000);
  counter = (counter + 1) % 1_000_000_000;
  return `${seconds}.M${micros}P${process.pid}Q${counter}.${host},S=${size}`;
}

/** The size in a ",S=" tag, or null for a name without one. */
export function sizeFromName(name: string): number | null {
  const match = /,S=(\d+)/.exec(name);
  return match ? Number(match[1]) : null;
}
