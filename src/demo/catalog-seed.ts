import crypto from 'node:crypto';
import type { UserActor } from '../core/auth/actor.js';
import type { CatalogService } from '../modules/catalog/index.js';
import { DEPARTMENTS, generateEntry, random } from './catalog-generator.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

/** Demo entries per provincial department that registers data (≈ 60 in all). */
const PER_DEPARTMENT = 4;
const OPEN_STATES = ['returned', 'draft', 'submitted'] as const;

/**
 * A living catalog for the demo region: each provincial department registers a few of its real
 * resources, most of them reviewed and published by the province's data authority, a few left as
 * drafts, submitted or returned with reasons. Everything goes through the catalog service, so each
 * step is validated and lands in the ledger like a real one.
 *
 * Departments without a demo account act through a seeding editor of their own organisation
 * (`demo.<key>`); where the demo region has a real account (police.editor, market.editor, authority),
 * that account is the actor.
 */
export async function seedCatalog(
  catalog: CatalogService,
  organisations: ReadonlyMap<string, string>,
  users: ReadonlyMap<string, { id: string; organisation: string }>,
): Promise<{ entries: number; published: number }> {
  const rng = random(20_260_301);
  const authorityOrg = DEMO_ORGANISATIONS.find((o) => o.kind === 'data_authority' && o.level === 'province')!;
  const reviewer = actorFor(users, 'authority', organisations.get(authorityOrg.key)!, 'data_authority');
  // Departments register concurrently: on PostgreSQL that uses the pool, and on PGlite one
  // department's JavaScript (validation, segmentation, ledger hashing) overlaps another's queries.
  const plans = DEPARTMENTS.flatMap((department) => {
    const org = DEMO_ORGANISATIONS.find((o) => o.key === department.key);
    const orgId = organisations.get(department.key);
    if (!org || !orgId) return [];
    const count = Math.min(PER_DEPARTMENT, department.subjects.length);
    return [{ department, org, orgId, bodies: Array.from({ length: count }, (_, n) => generateEntry(rng, department, { providerName: org.name, scope: '全省' }, n)) }];
  });
  let entries = 0;
  let published = 0;
  let planned = 0;
  await Promise.all(
    plans.map(async ({ department, orgId, bodies }) => {
      const editor = actorFor(users, `${department.key}.editor`, orgId, 'catalog_editor');
      // Every sixth entry stays with its provider: returned, a draft or submitted in turn.
      const states = bodies.map(() => {
        planned += 1;
        return planned % 6 === 0 ? OPEN_STATES[(planned / 6) % OPEN_STATES.length] : undefined;
      });
      for (const [n, body] of bodies.entries()) {
        const entry = await catalog.create(editor, body);
        entries += 1;
        const open = states[n];
        if (open === 'draft') continue;
        await catalog.submit(editor, entry.id);
        if (open === 'submitted') continue;
        if (open === 'returned') {
          await catalog.returnEntry(reviewer, entry.id, [
            { field: 'summary', message: '摘要应写明数据覆盖的时间范围和更新方式' },
            { field: 'items', message: '请补充信息项的数据元标识' },
          ]);
          continue;
        }
        await catalog.approve(reviewer, entry.id);
        published += 1;
      }
    }),
  );
  return { entries, published };
}

export function actorFor(
  users: ReadonlyMap<string, { id: string; organisation: string }>,
  username: string,
  organisationId: string,
  role: 'catalog_editor' | 'data_authority' | 'consumer' | 'provider_approver',
): UserActor {
  const user = users.get(username);
  return {
    type: 'user',
    // A stable id per seeding account, so the ledger shows the same actor for all its steps.
    id: user?.id ?? uuidFrom(`tianshu demo ${username}`),
    username: user ? username : `demo.${username.replace(/\.editor$/, '')}`,
    organisationId,
    roles: [role],
    sessionId: 'demo-seed',
  };
}

function uuidFrom(text: string): string {
  const h = crypto.createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
