import type { AliasAction } from '../../domain/alias-action.js';
import type { AliasRuleDraft } from '../../domain/map-file.js';
import type { Db } from '../connection.js';

export interface AliasRule extends AliasRuleDraft {
  id: number;
  domainId: number;
  position: number;
  /** The POP mailbox whose default alias this is; such a rule cannot be edited (seed 003). */
  lockedBy: string | null;
}

interface AliasRuleRow {
  id: number;
  domain_id: number;
  local_part: string;
  action: AliasAction['kind'];
  target_username: string | null;
  forward_addresses: string | null;
  fail_message: string | null;
  position: number;
  locked_by: string | null;
}

const SELECT = `SELECT r.*, m.username AS locked_by FROM alias_rules r LEFT JOIN mailboxes m ON m.id = r.locked_by_mailbox_id`;

function toAction(row: AliasRuleRow): AliasAction {
  switch (row.action) {
    case 'deliver':
      return { kind: 'deliver', username: row.target_username! };
    case 'forward':
      return { kind: 'forward', addresses: row.forward_addresses!.split(',') };
    case 'fail':
      return { kind: 'fail', message: row.fail_message };
    case 'discard':
      return { kind: 'discard' };
  }
}

const toRule = (row: AliasRuleRow): AliasRule => ({
  id: row.id,
  domainId: row.domain_id,
  localPart: row.local_part,
  action: toAction(row),
  position: row.position,
  lockedBy: row.locked_by,
});

function actionColumns(action: AliasAction) {
  return {
    action: action.kind,
    targetUsername: action.kind === 'deliver' ? action.username : null,
    forwardAddresses: action.kind === 'forward' ? action.addresses.join(',') : null,
    failMessage: action.kind === 'fail' ? action.message : null,
  };
}

export function createAliasRuleRepository(db: Db) {
  const find = db.prepare<[number, string], AliasRuleRow>(`${SELECT} WHERE r.domain_id = ? AND r.local_part = ?`);
  const findByDomainName = db.prepare<[string, string], AliasRuleRow>(
    `${SELECT} WHERE r.domain_id = (SELECT id FROM domains WHERE name = ?) AND r.local_part = ?`,
  );
  const byDomain = db.prepare<[number], AliasRuleRow>(`${SELECT} WHERE r.domain_id = ? ORDER BY r.position, r.id`);
  const nextPosition = db.prepare<[number], { p: number }>(
    'SELECT coalesce(max(position), 0) + 1 AS p FROM alias_rules WHERE domain_id = ?',
  );
  const insert = db.prepare(
    `INSERT INTO alias_rules (domain_id, local_part, action, target_username, forward_addresses, fail_message, position,
       locked_by_mailbox_id)
     VALUES (@domainId, @localPart, @action, @targetUsername, @forwardAddresses, @failMessage, @position, @lockedBy)`,
  );
  const update = db.prepare(
    `UPDATE alias_rules SET action = @action, target_username = @targetUsername, forward_addresses = @forwardAddresses,
       fail_message = @failMessage WHERE id = @id`,
  );
  const remove = db.prepare('DELETE FROM alias_rules WHERE id = ?');
  const removeUnlocked = db.prepare('DELETE FROM alias_rules WHERE domain_id = ? AND locked_by_mailbox_id IS NULL');
  const countTargeting = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM alias_rules WHERE target_username = ?');
  const addressesTargeting = db.prepare<[string], { address: string }>(
    `SELECT r.local_part || '@' || d.name AS address FROM alias_rules r JOIN domains d ON d.id = r.domain_id
     WHERE r.target_username = ? ORDER BY d.name, r.local_part`,
  );

  return {
    find: (domainId: number, localPart: string) => {
      const row = find.get(domainId, localPart);
      return row ? toRule(row) : null;
    },
    /** The same lookup by domain name, in one query: resolution asks this for every recipient that reaches a rule. */
    findByDomainName: (domainName: string, localPart: string) => {
      const row = findByDomainName.get(domainName, localPart);
      return row ? toRule(row) : null;
    },
    listByDomain: (domainId: number) => byDomain.all(domainId).map(toRule),
    insert: (domainId: number, rule: AliasRuleDraft, lockedByMailboxId: number | null = null) =>
      insert.run({
        domainId,
        localPart: rule.localPart,
        ...actionColumns(rule.action),
        position: nextPosition.get(domainId)!.p,
        lockedBy: lockedByMailboxId,
      }),
    updateAction: (id: number, action: AliasAction) => update.run({ id, ...actionColumns(action) }),
    remove: (id: number) => remove.run(id),
    removeUnlocked: (domainId: number) => removeUnlocked.run(domainId),
    countTargeting: (username: string) => countTargeting.get(username)!.n,
    /** "local@domain" of every rule that delivers to this username ("*@domain" for a catch-all). */
    addressesTargeting: (username: string) => addressesTargeting.all(username).map((row) => row.address),
  };
}

export type AliasRuleRepository = ReturnType<typeof createAliasRuleRepository>;
