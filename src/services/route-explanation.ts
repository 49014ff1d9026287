import { isIP } from 'node:net';
import { z } from 'zod';
import { refusalReply, type SmtpReply } from '../domain/refusals.js';
import type { Decision, Destination } from '../domain/resolution.js';
import type { AccessService } from './access.js';
import type { Principal } from './auth.js';
import type { ServiceContext } from './context.js';
import type { DeliveryService } from './delivery.js';
import { destinationFolder, type SenderContext } from './routing.js';

export const DECISION_LABELS: Record<Decision, string> = {
  'virtual-account': 'virtual account',
  'named-rule': 'named rule',
  'wildcard-rule': '* rule',
  'parent-mailbox': 'parent mailbox',
  relay: 'relay',
  postmaster: 'postmaster',
  refused: 'refused',
};

const OTHER_ACCOUNT = "another account's address";

/** A client address for a route check; the command line's --ip and the panel's route tester read it alike. */
export const clientAddressSchema = z
  .string()
  .trim()
  .refine((value) => isIP(value) !== 0, 'must be an IP address like 192.0.2.7 or 2001:db8::7');

export interface ExplainedStep {
  address: string;
  depth: number;
  label: string;
  /** The deciding rule as a map-file line, for rule decisions. */
  rule: string | null;
}

export type ExplainedDestination =
  /** A folder relative to the data folder, and whose mailbox it is. */
  | { kind: 'local'; folder: string; description: string }
  | { kind: 'remote'; address: string }
  | { kind: 'other-account' };

export interface RouteExplanation {
  recipient: string;
  accepted: boolean;
  steps: ExplainedStep[];
  /** Where an accepted message lands; empty when a rule discards it. */
  destinations: ExplainedDestination[];
  /** The reply a refused recipient gets at RCPT, from the listener's own table. */
  reply: SmtpReply | null;
  /** Why it was refused, beyond the reply; a fail rule's message is already the reply. */
  detail: string | null;
}

export interface ExplainOptions {
  /** The message size the client declares (SIZE=), for the quota check; 0 checks that the mailbox is not full. */
  size?: number;
  /** Who asks: steps and folders of accounts out of this principal's reach are hidden. None means the operator. */
  viewer?: Principal;
}

/**
 * Where mail for an address would go and why, from the very check the SMTP listener runs at RCPT (resolution, then
 * quotas); nothing is delivered. The command line and the panel's route tester both print this one explanation.
 */
export function createRouteExplanationService({ repos }: ServiceContext, delivery: DeliveryService, access: AccessService) {
  const reachesAccount = (viewer: Principal | undefined, accountId: number): boolean => {
    if (!viewer) return true;
    const account = repos.accounts.findById(accountId);
    return account !== null && access.reaches(viewer, account);
  };

  // Acceptance and the reply are what any sender learns over SMTP; which rule decided, and the folders, are another
  // customer's configuration, so a viewer sees them only for addresses on domains it manages.
  const reachesAddress = (viewer: Principal | undefined, address: string): boolean => {
    const domain = repos.domains.findByName(address.slice(address.lastIndexOf('@') + 1));
    return !domain || reachesAccount(viewer, domain.accountId);
  };

  const describe = (destination: Destination, viewer: Principal | undefined): ExplainedDestination => {
    switch (destination.kind) {
      case 'remote':
        return { kind: 'remote', address: destination.address };
      case 'postmaster':
        return { kind: 'local', folder: destinationFolder(destination), description: "the server's postmaster mailbox" };
      case 'account':
        if (!reachesAccount(viewer, destination.account.id)) return { kind: 'other-account' };
        return { kind: 'local', folder: destinationFolder(destination), description: `mailbox of account ${destination.account.username}` };
      case 'mailbox': {
        const { mailbox } = destination;
        if (!reachesAccount(viewer, mailbox.accountId)) return { kind: 'other-account' };
        const kind = mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox';
        return { kind: 'local', folder: destinationFolder(destination), description: `${kind} ${mailbox.name}` };
      }
    }
  };

  return {
    async explain(address: string, sender: SenderContext = {}, { size = 0, viewer }: ExplainOptions = {}): Promise<RouteExplanation> {
      const verdict = await delivery.checkRecipient(address, sender, size);
      const steps: ExplainedStep[] = [];
      let hiddenBelow: number | null = null;
      for (const step of verdict.resolution.steps) {
        // Steps come depth first: everything deeper than a hidden step was decided by the other account's rules.
        if (hiddenBelow !== null && step.depth > hiddenBelow) continue;
        hiddenBelow = null;
        if (step.decision !== 'postmaster' && !reachesAddress(viewer, step.address)) {
          hiddenBelow = step.depth;
          steps.push({ address: step.address, depth: step.depth, label: OTHER_ACCOUNT, rule: null });
        } else {
          steps.push({ address: step.address, depth: step.depth, label: DECISION_LABELS[step.decision], rule: step.rule ?? null });
        }
      }
      if (!verdict.accepted) {
        const refusal = verdict.resolution.accepted ? null : verdict.resolution.refusal;
        const detail = refusal?.message && verdict.reason !== 'RULE_FAILED' ? refusal.message : null;
        const reply = refusalReply(verdict.reason, address, verdict.message);
        return { recipient: address, accepted: false, steps, destinations: [], reply, detail };
      }
      const destinations = verdict.destinations.map((destination) => describe(destination, viewer));
      return { recipient: address, accepted: true, steps, destinations, reply: null, detail: null };
    },
  };
}

export type RouteExplanationService = ReturnType<typeof createRouteExplanationService>;
