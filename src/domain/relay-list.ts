import ipaddr from 'ipaddr.js';

/** The relay allow list (seed 004's tcp.smtp): client addresses and CIDR ranges that may relay without logging in. */

/** Normalises "192.0.2.7", "192.0.2.0/24" or "2001:db8::/32" to canonical CIDR text; null when malformed. */
export function normalizeCidr(text: string): string | null {
  const trimmed = text.trim();
  // ipaddr.js also reads inet_aton's octal and short forms ("010.0.0.0" is 8.0.0.0): accept only what people write.
  const [address = '', prefix] = trimmed.split('/');
  const plainIPv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && !/(^|\.)0\d/.test(address);
  if (!plainIPv4 && !(address.includes(':') && ipaddr.IPv6.isValid(address))) return null;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return null;
  try {
    if (trimmed.includes('/')) {
      const [address, prefix] = ipaddr.parseCIDR(trimmed);
      const network = networkAddress(address, prefix);
      return `${network}/${prefix}`;
    }
    const address = ipaddr.process(trimmed);
    return `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}`;
  } catch {
    return null;
  }
}

/** Whether a client address falls inside any of the allowed ranges; IPv4-mapped IPv6 clients count as IPv4. */
export function isRelayAllowed(clientAddress: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return false;
  let client: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    client = ipaddr.process(clientAddress);
  } catch {
    return false;
  }
  return allowed.some((cidr) => {
    try {
      const [network, prefix] = ipaddr.parseCIDR(cidr);
      return network.kind() === client.kind() && client.match(network, prefix);
    } catch {
      return false; // entries are normalised when stored; an unreadable one allows nobody
    }
  });
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return ipaddr.fromByteArray(bytes).toString();
}
