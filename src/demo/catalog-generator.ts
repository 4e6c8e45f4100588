import type { CatalogEntryInputType, InfoItemInputType } from '../modules/catalog/catalog.schemas.js';

/**
 * Realistic catalog entries (政务数据目录) for the demo region and for the search benchmark: the
 * resources real departments register, with the info items they hold (姓名, 公民身份号码,
 * 统一社会信用代码, 登记日期, …), valid categories and codes, and a spread of share, open, grade and
 * update-cycle values. Deterministic for a given seed, so a benchmark is repeatable.
 */

// ---------------------------------------------------------------- random numbers

/** mulberry32: small, fast and good enough for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
/** Picks by weight: `[['a', 3], ['b', 1]]` gives a three times out of four. */
function weighted<T>(rng: () => number, xs: ReadonlyArray<readonly [T, number]>): T {
  const total = xs.reduce((n, [, w]) => n + w, 0);
  let r = rng() * total;
  for (const [x, w] of xs) {
    r -= w;
    if (r < 0) return x;
  }
  return xs[xs.length - 1]![0];
}

// ---------------------------------------------------------------- info items

type Item = InfoItemInputType;
const s = (name: string, column: string, length: number, piiKind?: string): Item => ({ name, column, dataType: 'string', length, ...(piiKind ? { piiKind } : {}) });
const d = (name: string, column: string): Item => ({ name, column, dataType: 'date' });
const t = (name: string, column: string): Item => ({ name, column, dataType: 'datetime' });
const n = (name: string, column: string, precision = 18): Item => ({ name, column, dataType: 'decimal', length: precision });
const i = (name: string, column: string): Item => ({ name, column, dataType: 'integer' });

/** Items shared by many resources, by short name. */
const I = {
  name: s('姓名', 'full_name', 50, 'name'),
  residentId: s('公民身份号码', 'resident_id', 18, 'resident_id'),
  gender: s('性别', 'gender', 2),
  ethnicity: s('民族', 'ethnicity', 20),
  birthDate: d('出生日期', 'birth_date'),
  address: s('户籍地址', 'household_address', 200, 'address'),
  phone: s('联系电话', 'phone', 20, 'phone'),
  uscc: s('统一社会信用代码', 'uscc', 18, 'uscc'),
  enterprise: s('企业名称', 'enterprise_name', 200),
  legalRep: s('法定代表人', 'legal_representative', 50, 'name'),
  capital: n('注册资本（万元）', 'registered_capital'),
  established: d('成立日期', 'established_on'),
  regAuthority: s('登记机关', 'registration_authority', 100),
  regDate: d('登记日期', 'registered_on'),
  scope: s('经营范围', 'business_scope', 2000),
  domicile: s('住所', 'domicile', 200, 'address'),
  licenceNo: s('许可证编号', 'licence_no', 50),
  issuer: s('发证机关', 'issuing_authority', 100),
  validFrom: d('有效期起', 'valid_from'),
  validTo: d('有效期至', 'valid_to'),
  division: s('行政区划代码', 'division_code', 12),
  updated: t('数据更新时间', 'data_updated_at'),
  bankCard: s('银行账号', 'bank_account', 32, 'bank_card'),
  amount: n('发放金额（元）', 'payment_amount', 14),
  paidOn: d('发放日期', 'paid_on'),
  docNo: s('决定书文号', 'decision_no', 100),
  reason: s('处罚事由', 'penalty_reason', 2000),
  decidedOn: d('决定日期', 'decided_on'),
  fine: n('罚款金额（元）', 'fine_amount', 14),
  period: s('统计期', 'stat_period', 10),
  indicator: s('指标名称', 'indicator_name', 100),
  value: n('指标值', 'indicator_value'),
  unit: s('计量单位', 'unit', 20),
  projectCode: s('项目代码', 'project_code', 24),
  projectName: s('项目名称', 'project_name', 200),
  institution: s('机构名称', 'institution_name', 200),
  matterName: s('事项名称', 'matter_name', 200),
  matterCode: s('事项编码', 'matter_code', 40),
};

/** A resource a department registers: its name, what it holds, and how it is usually catalogued. */
interface Subject {
  name: string;
  /** What the summary says the data is for. */
  purpose: string;
  items: readonly Item[];
  resourceType: 'basic' | 'thematic' | 'department';
  format?: 'table' | 'api' | 'file';
  updateCycle?: CatalogEntryInputType['updateCycle'];
  /** Personal data: shared on conditions only, never opened. */
  personal?: boolean;
  grade?: CatalogEntryInputType['securityGrade'];
}

export interface DepartmentKind {
  /** The key of the demo organisation (src/demo/qinghai.ts). */
  key: string;
  /** How the department is called at province level, and in a city or county. */
  provincial: string;
  local: string;
  subjects: readonly Subject[];
}

const key = (item: Item): Item => ({ ...item, isKey: true });

export const DEPARTMENTS: readonly DepartmentKind[] = [
  {
    key: 'police',
    provincial: '公安厅',
    local: '公安局',
    subjects: [
      { name: '居民户籍信息', purpose: '用于户籍核验、政务服务身份核验和人口统计', items: [key(I.residentId), I.name, I.gender, I.ethnicity, I.birthDate, I.address, s('户号', 'household_no', 20), s('与户主关系', 'relation_to_head', 20)], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '居民身份证信息', purpose: '用于身份核验', items: [key(I.residentId), I.name, I.gender, I.birthDate, I.address, s('签发机关', 'issued_by', 100), I.validFrom, I.validTo], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '机动车登记信息', purpose: '用于车辆管理、保险和税费征收', items: [key(s('号牌号码', 'plate_no', 16, 'licence_plate')), s('号牌种类', 'plate_type', 10), s('车辆识别代号', 'vin', 17), s('车辆类型', 'vehicle_type', 20), s('机动车所有人', 'owner_name', 200, 'name'), d('初次登记日期', 'first_registered_on')], resourceType: 'department', updateCycle: 'daily', personal: true },
      { name: '机动车驾驶人信息', purpose: '用于驾驶资格核验', items: [key(I.residentId), I.name, s('准驾车型', 'permitted_class', 10), d('初次领证日期', 'first_licensed_on'), I.validTo, s('驾驶证状态', 'licence_status', 10)], resourceType: 'department', updateCycle: 'daily', personal: true },
      { name: '流动人口居住登记信息', purpose: '用于居住证办理和公共服务', items: [key(I.residentId), I.name, s('居住地址', 'residence_address', 200, 'address'), d('居住登记日期', 'residence_registered_on'), I.phone], resourceType: 'department', updateCycle: 'weekly', personal: true },
      { name: '出入境证件签发信息', purpose: '用于出入境管理和身份核验', items: [key(s('证件号码', 'document_no', 20, 'passport')), I.name, I.residentId, s('证件类型', 'document_type', 20), d('签发日期', 'issued_on'), I.validTo], resourceType: 'department', updateCycle: 'daily', personal: true, grade: 'important' },
    ],
  },
  {
    key: 'market',
    provincial: '市场监督管理局',
    local: '市场监督管理局',
    subjects: [
      { name: '市场主体登记信息', purpose: '用于企业开办、信用监管和涉企政务服务', items: [key(I.uscc), I.enterprise, s('市场主体类型', 'entity_type', 50), I.legalRep, I.capital, I.established, I.domicile, I.scope, I.regAuthority, I.regDate, s('登记状态', 'registration_status', 20)], resourceType: 'basic', updateCycle: 'realtime' },
      { name: '个体工商户登记信息', purpose: '用于个体经营者服务和监管', items: [key(I.uscc), s('字号名称', 'trade_name', 200), s('经营者姓名', 'operator_name', 50, 'name'), s('经营场所', 'business_premises', 200, 'address'), I.scope, I.regDate], resourceType: 'department', updateCycle: 'daily' },
      { name: '食品经营许可信息', purpose: '用于食品安全监管和许可查验', items: [key(I.licenceNo), I.uscc, s('经营者名称', 'operator_name', 200), s('经营项目', 'business_items', 500), I.issuer, I.validFrom, I.validTo], resourceType: 'department', updateCycle: 'daily' },
      { name: '行政处罚信息', purpose: '用于信用惩戒和执法监督', items: [key(I.docNo), I.uscc, s('当事人名称', 'party_name', 200), I.reason, s('处罚种类', 'penalty_kind', 50), I.fine, I.decidedOn], resourceType: 'thematic', updateCycle: 'weekly' },
      { name: '特种设备登记信息', purpose: '用于特种设备安全监察', items: [key(s('设备注册代码', 'equipment_code', 30)), s('设备种类', 'equipment_kind', 50), s('使用单位', 'user_unit', 200), I.uscc, d('下次检验日期', 'next_inspection_on')], resourceType: 'department', updateCycle: 'monthly' },
      { name: '企业年度报告信息', purpose: '用于企业信用信息公示', items: [key(I.uscc), I.enterprise, s('报告年度', 'report_year', 4), i('从业人数', 'employees'), n('营业总收入（万元）', 'revenue'), d('报送日期', 'reported_on')], resourceType: 'thematic', updateCycle: 'yearly' },
    ],
  },
  {
    key: 'civil',
    provincial: '民政厅',
    local: '民政局',
    subjects: [
      { name: '婚姻登记信息', purpose: '用于婚姻状况核验', items: [key(s('结婚证字号', 'certificate_no', 30)), s('男方姓名', 'husband_name', 50, 'name'), s('男方公民身份号码', 'husband_id', 18, 'resident_id'), s('女方姓名', 'wife_name', 50, 'name'), s('女方公民身份号码', 'wife_id', 18, 'resident_id'), s('登记类型', 'registration_kind', 10), I.regDate, I.regAuthority], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '社会组织登记信息', purpose: '用于社会组织监管和信用服务', items: [key(I.uscc), s('社会组织名称', 'organisation_name', 200), s('社会组织类型', 'organisation_kind', 20), I.legalRep, s('业务主管单位', 'supervisor', 200), I.regDate], resourceType: 'department', updateCycle: 'weekly' },
      { name: '最低生活保障对象信息', purpose: '用于社会救助资格审核和动态管理', items: [key(I.residentId), I.name, s('家庭人口数', 'household_size', 4), s('保障类别', 'assistance_type', 50), I.amount, I.paidOn, I.bankCard], resourceType: 'thematic', updateCycle: 'monthly', personal: true },
      { name: '殡葬服务信息', purpose: '用于死亡人员信息比对', items: [key(I.residentId), I.name, d('死亡日期', 'death_date'), d('火化日期', 'cremated_on'), I.institution], resourceType: 'department', updateCycle: 'daily', personal: true },
    ],
  },
  {
    key: 'edu',
    provincial: '教育厅',
    local: '教育局',
    subjects: [
      { name: '中小学学籍信息', purpose: '用于学籍管理、资助和入学资格核验', items: [key(s('全国学籍号', 'student_no', 20)), I.name, I.residentId, s('学校名称', 'school_name', 200), s('年级', 'grade_level', 10), d('入学日期', 'enrolled_on')], resourceType: 'department', updateCycle: 'monthly', personal: true },
      { name: '高等教育学历信息', purpose: '用于学历核验和人才引进', items: [key(s('证书编号', 'certificate_no', 30)), I.name, I.residentId, s('学校名称', 'school_name', 200), s('专业名称', 'major', 100), s('学历层次', 'education_level', 20), d('毕业日期', 'graduated_on')], resourceType: 'department', updateCycle: 'yearly', personal: true },
      { name: '教师资格认定信息', purpose: '用于教师招聘和资格核验', items: [key(s('教师资格证书号码', 'certificate_no', 30)), I.name, I.residentId, s('资格种类', 'qualification_kind', 50), s('任教学科', 'subject', 50), d('认定日期', 'certified_on')], resourceType: 'department', updateCycle: 'monthly', personal: true },
      { name: '学校基本信息', purpose: '用于教育资源布局和公共服务', items: [key(s('学校标识码', 'school_code', 10)), s('学校名称', 'school_name', 200), s('办学类型', 'school_kind', 20), I.division, s('学校地址', 'school_address', 200), i('在校生数', 'students')], resourceType: 'department', updateCycle: 'yearly' },
    ],
  },
  {
    key: 'hrss',
    provincial: '人力资源和社会保障厅',
    local: '人力资源和社会保障局',
    subjects: [
      { name: '社会保险参保信息', purpose: '用于参保核验、待遇发放和政务服务', items: [key(I.residentId), I.name, s('参保险种', 'insurance_type', 20), s('参保单位名称', 'employer_name', 200), I.uscc, d('参保日期', 'insured_since'), s('参保状态', 'insured_status', 10)], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '社会保险缴费信息', purpose: '用于缴费核验和待遇计算', items: [key(s('缴费流水号', 'payment_serial', 32)), I.residentId, I.name, s('缴费月份', 'contribution_month', 6), n('缴费基数（元）', 'contribution_base', 12), n('缴费金额（元）', 'contribution_amount', 12)], resourceType: 'department', updateCycle: 'monthly', personal: true },
      { name: '就业失业登记信息', purpose: '用于就业服务和失业保险待遇审核', items: [key(I.residentId), I.name, s('就业状态', 'employment_status', 10), s('就业单位', 'employer_name', 200), I.regDate], resourceType: 'department', updateCycle: 'weekly', personal: true },
      { name: '职业资格证书信息', purpose: '用于职业资格核验', items: [key(s('证书编号', 'certificate_no', 30)), I.name, I.residentId, s('职业名称', 'occupation', 100), s('等级', 'level', 10), d('发证日期', 'issued_on')], resourceType: 'department', updateCycle: 'monthly', personal: true },
    ],
  },
  {
    key: 'land',
    provincial: '自然资源厅',
    local: '自然资源局',
    subjects: [
      { name: '不动产登记信息', purpose: '用于不动产交易、抵押和权属核验', items: [key(s('不动产单元号', 'property_unit_no', 28)), s('不动产权证书号', 'certificate_no', 50), s('权利人', 'right_holder', 200, 'name'), s('权利人证件号码', 'holder_id_no', 18, 'resident_id'), s('坐落', 'located_at', 200, 'address'), n('面积（平方米）', 'area', 12), s('用途', 'land_use', 50), I.regDate], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '国有建设用地使用权出让信息', purpose: '用于土地市场监管', items: [key(s('电子监管号', 'supervision_no', 30)), I.projectName, s('受让人', 'assignee', 200), n('出让面积（公顷）', 'area', 12), n('成交价款（万元）', 'price', 14), d('签订日期', 'signed_on')], resourceType: 'thematic', updateCycle: 'monthly' },
      { name: '采矿权登记信息', purpose: '用于矿业权管理', items: [key(I.licenceNo), s('矿山名称', 'mine_name', 200), s('采矿权人', 'holder', 200), s('开采矿种', 'mineral', 50), I.validFrom, I.validTo], resourceType: 'department', updateCycle: 'monthly' },
    ],
  },
  {
    key: 'eco',
    provincial: '生态环境厅',
    local: '生态环境局',
    subjects: [
      { name: '排污许可证信息', purpose: '用于排污单位监管', items: [key(I.licenceNo), I.uscc, s('单位名称', 'unit_name', 200), s('行业类别', 'industry', 100), I.validFrom, I.validTo], resourceType: 'department', updateCycle: 'weekly' },
      { name: '环境空气质量监测数据', purpose: '用于空气质量评价和预警', items: [key(s('监测点位编码', 'site_code', 20)), s('监测点位名称', 'site_name', 100), t('监测时间', 'measured_at'), n('PM2.5浓度', 'pm25', 8), n('PM10浓度', 'pm10', 8), i('空气质量指数', 'aqi')], resourceType: 'thematic', format: 'api', updateCycle: 'realtime' },
      { name: '建设项目环境影响评价审批信息', purpose: '用于项目审批协同', items: [key(I.projectCode), I.projectName, s('建设单位', 'builder', 200), s('审批文号', 'approval_no', 100), d('审批日期', 'approved_on')], resourceType: 'department', updateCycle: 'weekly' },
    ],
  },
  {
    key: 'housing',
    provincial: '住房和城乡建设厅',
    local: '住房和城乡建设局',
    subjects: [
      { name: '建筑业企业资质信息', purpose: '用于招投标资格核验', items: [key(s('资质证书编号', 'certificate_no', 30)), I.uscc, I.enterprise, s('资质类别及等级', 'qualification', 200), I.validTo], resourceType: 'department', updateCycle: 'weekly' },
      { name: '商品房预售许可信息', purpose: '用于房地产市场监管和购房核验', items: [key(I.licenceNo), s('项目名称', 'project_name', 200), s('开发企业', 'developer', 200), n('预售面积（平方米）', 'area', 12), d('发证日期', 'issued_on')], resourceType: 'department', updateCycle: 'weekly' },
      { name: '住房公积金缴存信息', purpose: '用于公积金贷款审核和购房资格核验', items: [key(s('个人公积金账号', 'fund_account', 30)), I.name, I.residentId, s('缴存单位', 'employer_name', 200), n('月缴存额（元）', 'monthly_amount', 12), s('账户状态', 'account_status', 10)], resourceType: 'department', updateCycle: 'monthly', personal: true },
    ],
  },
  {
    key: 'transport',
    provincial: '交通运输厅',
    local: '交通运输局',
    subjects: [
      { name: '道路运输经营许可信息', purpose: '用于运输市场监管', items: [key(I.licenceNo), I.uscc, s('业户名称', 'operator_name', 200), s('经营范围', 'business_scope', 500), I.validTo], resourceType: 'department', updateCycle: 'weekly' },
      { name: '营运车辆道路运输证信息', purpose: '用于营运车辆核验', items: [key(s('道路运输证号', 'transport_certificate_no', 30)), s('号牌号码', 'plate_no', 16, 'licence_plate'), s('业户名称', 'operator_name', 200), s('车辆类型', 'vehicle_type', 20), I.validTo], resourceType: 'department', updateCycle: 'daily' },
      { name: '公路基础数据', purpose: '用于路网规划和养护', items: [key(s('路线编号', 'route_code', 20)), s('路线名称', 'route_name', 100), s('技术等级', 'grade_of_road', 20), n('里程（公里）', 'length_km', 10), I.division], resourceType: 'thematic', updateCycle: 'yearly' },
    ],
  },
  {
    key: 'health',
    provincial: '卫生健康委员会',
    local: '卫生健康局',
    subjects: [
      { name: '出生医学证明信息', purpose: '用于户口登记和母婴服务', items: [key(s('出生医学证明编号', 'certificate_no', 20)), s('新生儿姓名', 'newborn_name', 50, 'name'), t('出生时间', 'born_at'), s('出生地点', 'birth_place', 200, 'address'), s('母亲姓名', 'mother_name', 50, 'name'), s('母亲公民身份号码', 'mother_id', 18, 'resident_id')], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '医疗机构执业许可信息', purpose: '用于医疗机构监管', items: [key(s('登记号', 'registration_no', 30)), I.institution, I.uscc, s('诊疗科目', 'departments', 1000), s('执业地点', 'practice_address', 200), I.validTo], resourceType: 'department', updateCycle: 'weekly' },
      { name: '医师执业注册信息', purpose: '用于医师资格核验', items: [key(s('执业证书编码', 'certificate_no', 30)), I.name, s('执业类别', 'practice_category', 50), s('执业范围', 'practice_scope', 100), s('执业机构', 'institution_name', 200)], resourceType: 'department', updateCycle: 'weekly', personal: true },
      { name: '居民电子健康档案信息', purpose: '用于基本公共卫生服务', items: [key(s('健康档案编号', 'record_no', 30)), I.name, I.residentId, s('既往病史', 'medical_history', 2000, 'health'), d('建档日期', 'created_on')], resourceType: 'department', updateCycle: 'daily', personal: true, grade: 'important' },
    ],
  },
  {
    key: 'medical',
    provincial: '医疗保障局',
    local: '医疗保障局',
    subjects: [
      { name: '基本医疗保险参保信息', purpose: '用于参保核验和异地就医结算', items: [key(I.residentId), I.name, s('险种类型', 'insurance_type', 20), s('参保地', 'insured_division', 12), d('参保日期', 'insured_since'), s('参保状态', 'insured_status', 10)], resourceType: 'basic', updateCycle: 'daily', personal: true },
      { name: '医疗费用结算信息', purpose: '用于医保基金监管', items: [key(s('结算流水号', 'settlement_no', 40)), I.residentId, s('定点医疗机构', 'institution_name', 200), n('医疗费总额（元）', 'total_cost', 14), n('基金支付（元）', 'fund_paid', 14), t('结算时间', 'settled_at')], resourceType: 'department', updateCycle: 'daily', personal: true, grade: 'important' },
      { name: '定点医药机构信息', purpose: '用于定点协议管理', items: [key(s('定点机构编码', 'institution_code', 20)), I.institution, I.uscc, s('机构类别', 'institution_kind', 20), I.validTo], resourceType: 'department', updateCycle: 'monthly' },
    ],
  },
  {
    key: 'agri',
    provincial: '农业农村厅',
    local: '农业农村局',
    subjects: [
      { name: '农村土地承包经营权信息', purpose: '用于土地确权和流转服务', items: [key(s('承包合同编号', 'contract_no', 30)), s('承包方代表', 'contractor', 50, 'name'), I.residentId, n('承包面积（亩）', 'area', 12), I.division], resourceType: 'department', updateCycle: 'yearly', personal: true },
      { name: '农机购置补贴信息', purpose: '用于补贴发放和公示', items: [key(s('补贴申请编号', 'application_no', 30)), s('购机者姓名', 'buyer_name', 50, 'name'), s('机具品目', 'machine_kind', 100), n('补贴额（元）', 'subsidy', 12), I.paidOn], resourceType: 'thematic', updateCycle: 'monthly' },
      { name: '动物防疫检疫信息', purpose: '用于动物疫病防控和产品追溯', items: [key(s('检疫证明编号', 'certificate_no', 30)), s('畜禽种类', 'livestock_kind', 20), i('数量', 'quantity'), s('启运地点', 'origin', 200), d('签发日期', 'issued_on')], resourceType: 'department', updateCycle: 'daily' },
    ],
  },
  {
    key: 'emergency',
    provincial: '应急管理厅',
    local: '应急管理局',
    subjects: [
      { name: '安全生产许可信息', purpose: '用于安全生产监管', items: [key(I.licenceNo), I.uscc, I.enterprise, s('许可范围', 'licensed_scope', 500), I.validTo], resourceType: 'department', updateCycle: 'weekly' },
      { name: '危险化学品企业信息', purpose: '用于重大危险源监管', items: [key(I.uscc), I.enterprise, s('危险化学品名称', 'chemical', 200), s('重大危险源等级', 'hazard_level', 10), s('企业地址', 'enterprise_address', 200)], resourceType: 'department', updateCycle: 'monthly', grade: 'important' },
      { name: '自然灾害灾情数据', purpose: '用于灾害救助和评估', items: [key(s('灾情编号', 'event_no', 30)), s('灾害种类', 'hazard_kind', 20), I.division, i('受灾人口', 'affected_people'), n('直接经济损失（万元）', 'loss', 14), d('发生日期', 'occurred_on')], resourceType: 'thematic', updateCycle: 'irregular' },
    ],
  },
  {
    key: 'justice',
    provincial: '司法厅',
    local: '司法局',
    subjects: [
      { name: '律师执业信息', purpose: '用于律师执业核验', items: [key(s('执业证号', 'licence_no', 30)), I.name, s('执业机构', 'firm', 200), s('执业类别', 'practice_kind', 20), d('首次执业日期', 'first_practised_on')], resourceType: 'department', updateCycle: 'monthly', personal: true },
      { name: '人民调解案件信息', purpose: '用于矛盾纠纷排查化解', items: [key(s('案件编号', 'case_no', 30)), s('纠纷类型', 'dispute_kind', 50), s('调解组织', 'mediator', 200), s('调解结果', 'outcome', 20), d('受理日期', 'accepted_on')], resourceType: 'thematic', updateCycle: 'monthly' },
    ],
  },
  {
    key: 'finance',
    provincial: '财政厅',
    local: '财政局',
    subjects: [
      { name: '政府采购合同信息', purpose: '用于采购监管和信息公开', items: [key(s('合同编号', 'contract_no', 50)), s('采购人', 'purchaser', 200), s('供应商名称', 'supplier', 200), I.uscc, n('合同金额（元）', 'contract_amount', 16), d('签订日期', 'signed_on')], resourceType: 'thematic', updateCycle: 'daily' },
      { name: '惠民惠农财政补贴资金发放信息', purpose: '用于补贴资金“一卡通”监管', items: [key(s('发放批次号', 'batch_no', 30)), I.residentId, I.name, s('补贴项目', 'subsidy_item', 100), I.amount, I.paidOn], resourceType: 'thematic', updateCycle: 'monthly', personal: true },
    ],
  },
  {
    key: 'ndrc',
    provincial: '发展和改革委员会',
    local: '发展和改革局',
    subjects: [
      { name: '投资项目审批核准备案信息', purpose: '用于投资项目在线审批监管', items: [key(I.projectCode), I.projectName, s('项目单位', 'project_owner', 200), I.uscc, n('总投资（万元）', 'total_investment', 16), s('审批结果', 'approval_result', 50), d('审批日期', 'approved_on')], resourceType: 'thematic', updateCycle: 'daily' },
      { name: '公共信用信息', purpose: '用于信用评价和联合奖惩', items: [key(I.uscc), s('主体名称', 'subject_name', 200), s('信用类别', 'credit_kind', 20), s('信息内容', 'content', 2000), d('认定日期', 'decided_on')], resourceType: 'basic', updateCycle: 'daily' },
      { name: '重要商品价格监测数据', purpose: '用于价格监测预警', items: [key(s('监测编号', 'record_no', 30)), s('商品名称', 'commodity', 100), I.unit, n('价格（元）', 'price', 12), d('采价日期', 'priced_on'), I.division], resourceType: 'thematic', format: 'api', updateCycle: 'weekly' },
    ],
  },
  {
    key: 'stats',
    provincial: '统计局',
    local: '统计局',
    subjects: [
      { name: '国民经济主要指标数据', purpose: '用于经济运行监测', items: [key(s('指标编码', 'indicator_code', 20)), I.indicator, I.period, I.value, I.unit, I.division], resourceType: 'thematic', format: 'api', updateCycle: 'monthly' },
      { name: '人口抽样调查数据', purpose: '用于人口发展研究', items: [key(s('调查小区编码', 'area_code', 20)), I.period, i('常住人口数', 'resident_population'), i('户数', 'households'), I.division], resourceType: 'thematic', format: 'file', updateCycle: 'yearly' },
    ],
  },
  {
    key: 'audit',
    provincial: '审计厅',
    local: '审计局',
    subjects: [{ name: '审计项目信息', purpose: '用于审计整改跟踪', items: [key(s('审计项目编号', 'project_no', 30)), s('被审计单位', 'audited_unit', 200), s('审计类型', 'audit_kind', 50), d('审计报告日期', 'reported_on'), s('整改状态', 'rectification_status', 20)], resourceType: 'department', updateCycle: 'quarterly', grade: 'important' }],
  },
  {
    key: 'office',
    provincial: '人民政府办公厅',
    local: '人民政府办公室',
    subjects: [
      { name: '12345政务服务便民热线工单信息', purpose: '用于诉求办理和分析', items: [key(s('工单编号', 'ticket_no', 32)), s('诉求类型', 'request_kind', 20), s('诉求内容', 'request_text', 4000), s('承办单位', 'handling_unit', 200), t('办结时间', 'closed_at')], resourceType: 'thematic', updateCycle: 'realtime' },
      { name: '政务服务事项目录', purpose: '用于政务服务事项标准化管理', items: [key(I.matterCode), I.matterName, s('事项类型', 'matter_kind', 20), s('实施主体', 'implementer', 200), i('承诺办结时限（工作日）', 'promised_days')], resourceType: 'department', updateCycle: 'monthly' },
    ],
  },
];

const CYCLES: ReadonlyArray<readonly [CatalogEntryInputType['updateCycle'], number]> = [
  ['realtime', 1], ['daily', 4], ['weekly', 2], ['monthly', 3], ['quarterly', 1], ['yearly', 2], ['irregular', 1],
];
type ShareMethod = CatalogEntryInputType['shareMethods'][number];
const TABLE_METHODS: ReadonlyArray<readonly [readonly ShareMethod[], number]> = [[['api'], 2], [['table'], 1], [['api', 'table'], 2]];
const QUALIFIERS = ['', '', '', '', '历史', '汇总', '统计', '变更', '注销', '年度', '电子证照', '核验'];
const BASES: Record<string, string> = {
  basic: '《政务信息资源共享管理暂行办法》第五条',
  personal: '《中华人民共和国个人信息保护法》第三十四条、第三十五条',
};

export interface GenerateOptions {
  /** The provider's full name, e.g. 青海省公安厅 or 海东市公安局 (said in the summary). */
  providerName: string;
  /** The area the data covers: 全省, 全市, 本县. */
  scope: string;
  /** Varies the name (历史, 汇总, …) so a large catalog is not the same few names repeated. */
  vary?: boolean;
}

/**
 * A valid entry body (POST /catalogs) for a department: one of its subjects with its items, a
 * category 类-项-目 matching the resource type (1 basic, 2 thematic, 3 department), and share,
 * open, grade and cycle values drawn as a real catalog spreads them.
 */
export function generateEntry(rng: () => number, department: DepartmentKind, options: GenerateOptions, subjectIndex?: number): CatalogEntryInputType {
  const index = subjectIndex ?? Math.floor(rng() * department.subjects.length);
  const subject = department.subjects[index % department.subjects.length]!;
  const qualifier = options.vary ? pick(rng, QUALIFIERS) : '';
  const name = qualifier ? `${subject.name.replace(/信息$|数据$/, '')}${qualifier}信息` : subject.name;
  const shareType = subject.personal
    ? weighted(rng, [['conditional', 8], ['none', 1]] as const)
    : weighted(rng, [['unconditional', 6], ['conditional', 3], ['none', 1]] as const);
  const openType = subject.personal || shareType === 'none' ? 'none' : weighted(rng, [['none', 4], ['conditional', 2], ['unconditional', 3]] as const);
  const grade = subject.grade ?? weighted(rng, [['general', 17], ['important', 3]] as const);
  const format = subject.format ?? weighted(rng, [['table', 6], ['api', 3], ['file', 1]] as const);
  const typeDigit = { basic: 1, thematic: 2, department: 3 }[subject.resourceType];
  const departmentNo = DEPARTMENTS.indexOf(department) + 1;
  const items = subject.items.map((item) => ({ ...item }));
  const shown = items.slice(1, 4).map((item) => item.name.replace(/（.*）$/, '')).join('、');
  return {
    name,
    summary: `${options.scope}${name}，由${options.providerName}汇集，主要包括${shown}等信息项，${subject.purpose}。`,
    resourceType: subject.resourceType,
    category: `${typeDigit}-${String(departmentNo).padStart(2, '0')}-${String(index + 1).padStart(3, '0')}`,
    format,
    shareType,
    ...(shareType === 'conditional' ? { shareCondition: subject.personal ? `仅用于${subject.purpose.replace(/^用于/, '')}，须经${options.providerName}审批并签订安全保护协议` : '须说明用途，经提供部门同意后共享' } : {}),
    ...(shareType === 'none' ? { nonShareBasis: subject.personal ? BASES.personal! : BASES.basic! } : {}),
    shareMethods: shareType === 'none' ? [] : format === 'file' ? ['file'] : format === 'api' ? ['api'] : [...weighted(rng, TABLE_METHODS)],
    openType,
    updateCycle: subject.updateCycle && rng() < 0.7 ? subject.updateCycle : weighted(rng, CYCLES),
    securityGrade: grade,
    ...(grade === 'general' && subject.personal ? { sensitivityLevel: rng() < 0.5 ? 3 : 4 } : {}),
    items,
  };
}

/** The department kind of a demo organisation key, if it is one that registers data. */
export function departmentKind(orgKey: string): DepartmentKind | undefined {
  return DEPARTMENTS.find((d) => d.key === orgKey);
}
