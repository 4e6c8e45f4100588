import type { DemandService, ObjectionService, SharingService } from '../modules/sharing/index.js';
import { actorFor } from './catalog-seed.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

/**
 * Sharing as a new user finds it: the human-resources department (人社厅) has applied for the base
 * libraries of two other departments — one application waits in the police's approval queue with its
 * 10-working-day deadline, one was granted — so the queues and the grants page are not empty. The
 * market regulator (market.consumer) has applied for nothing, so the README's walk-through (apply for
 * 人口基础信息, approve, call the gateway) starts from a clean slate. When the services are given, a
 * demand of the market regulator for data no entry describes waits, routed by the authority, in the
 * police's queue (数据需求), and 人社厅 has objected to records of its grant (数据异议), a ticket in the
 * market regulator's queue.
 */
export async function seedSharing(
  services: SharingService | { sharing: SharingService; demands?: DemandService | undefined; objections?: ObjectionService | undefined },
  organisations: ReadonlyMap<string, string>,
  users: ReadonlyMap<string, { id: string; organisation: string }>,
  entries: ReadonlyMap<string, string>,
): Promise<{ applications: number; demands: number; objections: number }> {
  const { sharing, demands, objections } = 'sharing' in services ? services : { sharing: services, demands: undefined, objections: undefined };
  const org = (key: string) => organisations.get(key)!;
  const authorityOrg = DEMO_ORGANISATIONS.find((o) => o.kind === 'data_authority' && o.level === 'province')!;
  const hrss = actorFor(users, 'hrss.consumer', org('hrss'), 'consumer');
  const validUntil = `${new Date().getUTCFullYear() + 1}-12-31`;
  let applications = 0;
  let demandCount = 0;
  let objectionCount = 0;

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
    let grantId = applied.grantId;
    if (applied.status === 'pending') {
      const decided = await sharing.approve(actorFor(users, 'market.approver', org('market'), 'provider_approver'), applied.id, { comment: '同意，按最小必要原则使用' });
      grantId = decided.grantId;
      if (decided.status === 'countersigning') {
        grantId = (await sharing.approve(actorFor(users, 'authority', org(authorityOrg.key), 'data_authority'), applied.id, { comment: '会签同意' })).grantId;
      }
    }
    if (objections && grantId) {
      await objections.file(hrss, {
        kind: 'data',
        grantId,
        description: '比对参保单位时发现，部分市场主体的登记状态与社保登记不一致：已办理注销登记的企业仍显示“存续”，请核实并更正。',
      });
      objectionCount += 1;
    }
  }
  if (demands) {
    const filed = await demands.file(actorFor(users, 'market.consumer', org('market'), 'consumer'), {
      title: '流动人口居住登记信息',
      description: '办理个体工商户登记时需核验经营者在经营场所所在地的居住登记情况，现有目录中未找到描述该数据的目录。',
      items: ['公民身份号码', '姓名', '居住地址', '居住登记日期', '居住证有效期'],
      purpose: '个体工商户登记注册时核验经营者居住信息，落实“一网通办”',
      legalBasis: '《居住证暂行条例》第十二条；《促进个体工商户发展条例》第九条',
    });
    await demands.route(actorFor(users, 'authority', org(authorityOrg.key), 'data_authority'), filed.id, { providerOrgId: org('police'), comment: '居住登记信息由公安机关汇集，请核实是否可编目共享' });
    demandCount += 1;
  }
  return { applications, demands: demandCount, objections: objectionCount };
}
