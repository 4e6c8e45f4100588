import { systemActor } from '../core/auth/actor.js';
import { completeOrgCode, completeUscc } from '../core/codes/index.js';
import type { CatalogService } from '../modules/catalog/index.js';
import type { IdentityService } from '../modules/identity/index.js';
import type { ResourceService } from '../modules/resources/index.js';
import { seedBaseLibraries } from './base-seed.js';
import { seedCatalog } from './catalog-seed.js';
import { DEMO_ORGANISATIONS, DEMO_USERS } from './qinghai.js';
import { seedSharing } from './sharing-seed.js';

/** A valid, stable credit code for the i-th demo organisation: 11 (机关) + division + org code. */
export function demoCreditCode(divisionCode: string, index: number): string {
  const orgCode = completeOrgCode(`0${String(1_530_000 + index * 97).padStart(7, '0')}`).replace('-', '');
  return completeUscc(`11${divisionCode}${orgCode}`);
}

export interface SeedResult {
  organisations: number;
  users: number;
  catalogEntries?: number;
  /**
   * Loads the base libraries (slow: hundreds of thousands of rows), for the caller to run after the
   * node is up. Absent when there is no catalog to register them in.
   */
  loadBaseLibraries?: (resources: ResourceService, persons: number) => Promise<{ libraries: number; rows: number; entries: Map<string, string> }>;
  /** Applications and a grant between the base libraries' departments, once the libraries are registered. */
  seedSharing?: (services: Parameters<typeof seedSharing>[0], entries: ReadonlyMap<string, string>) => Promise<{ applications: number; demands: number; objections: number }>;
}

/**
 * Creates the demo region on an empty node. Runs through the identity service like any other
 * change, so every organisation and user is in the ledger.
 */
export async function seedDemo(identity: IdentityService, password: string, catalog?: CatalogService): Promise<SeedResult> {
  const actor = systemActor('demo data');
  const ids = new Map<string, string>();
  for (const [i, org] of DEMO_ORGANISATIONS.entries()) {
    const created = await identity.createOrganisation(actor, {
      code: demoCreditCode(org.divisionCode, i),
      name: org.name,
      divisionCode: org.divisionCode,
      level: org.level,
      kind: org.kind,
      parentId: org.parent ? ids.get(org.parent) ?? null : null,
    });
    ids.set(org.key, created.id);
  }
  // Concurrently: each account's scrypt hash runs on the thread pool while others are stored.
  const users = await Promise.all(
    DEMO_USERS.map((user) =>
      identity.createUser(actor, {
        username: user.username,
        displayName: user.displayName,
        organisationId: ids.get(user.organisation)!,
        password,
        roles: user.roles,
      }),
    ),
  );
  if (!catalog) return { organisations: DEMO_ORGANISATIONS.length, users: DEMO_USERS.length };
  const byName = new Map(users.map((u, i) => [DEMO_USERS[i]!.username, { id: u.id, organisation: DEMO_USERS[i]!.organisation }]));
  const { entries } = await seedCatalog(catalog, ids, byName);
  return {
    organisations: DEMO_ORGANISATIONS.length,
    users: DEMO_USERS.length,
    catalogEntries: entries,
    loadBaseLibraries: (resources, persons) => seedBaseLibraries({ catalog, resources }, ids, byName, { persons }),
    seedSharing: (services, entries) => seedSharing(services, ids, byName, entries),
  };
}
