import type { SharingService } from '../modules/sharing/index.js';
import { actorFor } from './catalog-seed.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

/**
 * Sharing as a new user finds it: the human-resources department (人社厅) has applied for the base
 * libraries of two other departments — one application waits in the police's approval queue with its
 * 10-working-day deadline, one was granted — so the queues and the grants page are not empty. The
 * market regulator (market.consumer) has applied for nothing, so the README's walk-through (apply for
 * 人口基础信息, approve, call the gateway) starts from a clean slate.
 */
export async function seedSharing(
  sharing: SharingService,
  organisations: ReadonlyMap<string, string>,
  users: ReadonlyMap<string, { id: string; organisation: string }>,
  entries: ReadonlyMap<string, string>,
): Promise<{ applications: number }> {
  const org = (key: string) => organisations.get(key)!;
  const authorityOrg = DEMO_ORGANISATIONS.find((o) => o.kind === 'data_authority' && o.level === 'province')!;
  const hrss = actorFor(users, 'hrss.consumer', org('hrss'), 'consumer');
  const validUntil = `${new Date().getUTCFullYear() + 1}-12-31`;
  let applications = 0;

  const population = entries.get('population');
  if (population) {
    await sharing.apply(hrss, {
      catalogId: population,
      items: ['resident_id', 'full_name', 'gender', 'birth_date', 'household_division_code'],
      purpose: '社会保险参保登记和待遇发放时核验参保人身份信息，防止冒领',
      legalBasis: '《中华人民共和国社会保险法》第五十八条、第七十二条',
      scenario: '参保登记、养老金资格认证',
      methods: ['api'],
      validUntil,
    });
    applications += 1;
  }
  const legalPerson = entries.get('legal_person');
  if (legalPerson) {
    const applied = await sharing.apply(hrss, {
      catalogId: legalPerson,
      purpose: '核验参保单位的登记状态和统一社会信用代码',
      legalBasis: '《社会保险费征缴暂行条例》第七条',
      scenario: '单位参保登记',
      methods: ['api', 'table'],
      validUntil,
    });
    applications += 1;
    if (applied.status === 'pending') {
      const decided = await sharing.approve(actorFor(users, 'market.approver', org('market'), 'provider_approver'), applied.id, { comment: '同意，按最小必要原则使用' });
      if (decided.status === 'countersigning') {
        await sharing.approve(actorFor(users, 'authority', org(authorityOrg.key), 'data_authority'), applied.id, { comment: '会签同意' });
      }
    }
  }
  return { applications };
}
