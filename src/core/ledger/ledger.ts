import { sql } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { Trx } from '../db/database.js';

/** What happened, to what, by whom. The payload must never carry secrets or passwords. */
export interface LedgerEvent {
  actor: Actor;
  /** `module.subject.verb`, for example `identity.user.create`. */
  action: string;
  subject: { type: string; id: string };
  payload?: Record<string, unknown>;
}

/** The actor as the ledger records it: identity, never session tokens. */
export type LedgerActor =
  | { type: 'user'; id: string; username: string; organisationId: string }
  | { type: 'app'; id: string; appKey: string; organisationId: string }
  | { type: 'system'; id: 'system'; reason: string }
  | { type: 'anonymous' };

export function ledgerActor(actor: Actor): LedgerActor {
  switch (actor.type) {
    case 'user':
      return { type: 'user', id: actor.id, username: actor.username, organisationId: actor.organisationId };
    case 'app':
      return { type: 'app', id: actor.id, appKey: actor.appKey, organisationId: actor.organisationId };
    case 'system':
      return { type: 'system', id: 'system', reason: actor.reason };
    case 'anonymous':
      return { type: 'anonymous' };
  }
}

/**
 * Records a state change in the same transaction as the change itself (STYLE: audit is part of
 * persistence), so one cannot commit without the other. The entry waits in `ledger_pending`; the
 * ledger module's sequencer gives it its place in the Merkle tree in batches (group commit), which
 * keeps the business transaction to one small insert and the ledger off the critical path.
 */
export async function appendLedger(trx: Trx, event: LedgerEvent): Promise<void> {
  await sql`
    insert into ledger_pending (actor, action, subject_type, subject_id, payload)
    values (${JSON.stringify(ledgerActor(event.actor))}::jsonb, ${event.action}, ${event.subject.type},
            ${event.subject.id}, ${JSON.stringify(event.payload ?? {})}::jsonb)`.execute(trx);
}
