import { invalid } from '../domain/errors.js';
import { isRelayAllowed, normalizeCidr } from '../domain/relay-list.js';
import type { ServiceContext } from './context.js';

/** The relay allow list (seed 004's tcp.smtp). It starts empty: nobody relays without logging in until allowed. */
export function createRelayService({ repos, audit }: ServiceContext) {
  const normalized = (text: string) => {
    const cidr = normalizeCidr(text);
    if (!cidr) throw invalid('address', `"${text}" is not an IP address or CIDR range like 192.0.2.0/24`);
    return cidr;
  };
  return {
    allow: (text: string) => {
      const cidr = normalized(text);
      const added = repos.relayAllow.add(cidr);
      if (added) audit.record('relay.allow', cidr, null, null, { cidr });
      return { cidr, added };
    },
    deny: (text: string) => {
      const cidr = normalized(text);
      const removed = repos.relayAllow.remove(cidr);
      if (removed) audit.record('relay.deny', cidr, null, { cidr }, null);
      return { cidr, removed };
    },
    list: () => repos.relayAllow.list(),
    /** Read on every check, so a change from the command line or the panel counts at once, without a restart. */
    allows: (clientAddress: string) => isRelayAllowed(clientAddress, repos.relayAllow.list()),
  };
}

export type RelayService = ReturnType<typeof createRelayService>;
