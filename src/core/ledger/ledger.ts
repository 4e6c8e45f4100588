import { sql, type CompiledQuery } from 'kysely';
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

/**
 * Records many events in one statement, inside the caller's transaction: one parameter (a JSON
 * array) whatever the batch size, which keeps the client-side encoding cheap.
 */
export async function appendLedgerBatch(trx: Trx, events: readonly LedgerEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx.executeQuery(ledgerBatchInsert(trx, events));
}

/** appendLedgerBatch's statement, for callers that pipeline their writes (StatementPipeline). */
export function ledgerBatchInsert(trx: Trx, events: readonly LedgerEvent[]): CompiledQuery {
  const rows = events.map((e) => ({
    actor: ledgerActor(e.actor),
    action: e.action,
    subject_type: e.subject.type,
    subject_id: e.subject.id,
    payload: e.payload ?? {},
  }));
  return sql`
    insert into ledger_pending (actor, action, subject_type, subject_id, payload)
    select actor, action, subject_type, subject_id, payload
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(actor jsonb, action text, subject_type text, subject_id text, payload jsonb)`.compile(trx);
}

/**
 * For events that are not part of a business transaction (sign-in failures, data access records):
 * `record` resolves once the event is durably committed. Concurrent calls are committed together,
 * one transaction for all that arrived while the previous commit was in flight (group commit).
 */
export interface LedgerRecorder {
  record(event: LedgerEvent): Promise<void>;
}
