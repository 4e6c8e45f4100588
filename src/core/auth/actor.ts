import type { Role } from './roles.js';

/** Who is calling: a signed-in person, an organisation's application (signed request), or the node. */
export type Actor = UserActor | AppActor | SystemActor | AnonymousActor;

export interface UserActor {
  type: 'user';
  id: string;
  username: string;
  organisationId: string;
  roles: readonly Role[];
  sessionId: string;
}

export interface AppActor {
  type: 'app';
  id: string;
  appKey: string;
  organisationId: string;
}

export interface SystemActor {
  type: 'system';
  id: 'system';
  /** What the node was doing (demo seeding, a scheduled job, the CLI). */
  reason: string;
}

export interface AnonymousActor {
  type: 'anonymous';
}

export const ANONYMOUS: AnonymousActor = { type: 'anonymous' };

export function systemActor(reason: string): SystemActor {
  return { type: 'system', id: 'system', reason };
}

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.type === 'user' && actor.roles.some((r) => roles.includes(r));
}
