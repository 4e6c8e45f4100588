import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import { forbidden } from '../../core/errors.js';
import * as E from './connectors.errors.js';

/**
 * Who may do what with connectors. A connector holds a credential to the provider's own systems,
 * so only the provider's catalog editors set one up, change, test or run it (谁提供谁负责); the
 * provider's people and the data authority responsible for it see connectors and their runs.
 */
export function requireEditor(actor: Actor): asserts actor is UserActor {
  if (actor.type !== 'user' || !hasRole(actor, 'catalog_editor')) throw forbidden();
}

export function requireProviderEditor(actor: Actor, providerId: string): asserts actor is UserActor {
  requireEditor(actor);
  if (actor.organisationId !== providerId) throw E.notProvider();
}

export async function mayRead(actor: Actor, providerId: string, authorityOf: (organisationId: string) => Promise<{ id: string } | undefined>): Promise<boolean> {
  if (actor.type !== 'user') return false;
  if (actor.organisationId === providerId) return true;
  if (!hasRole(actor, 'data_authority')) return false;
  return (await authorityOf(providerId))?.id === actor.organisationId;
}
