import type { Role } from '../core/auth/roles.js';

/**
 * The demo region: 青海省 with its real GB/T 2260 division codes and a realistic set of provincial
 * departments. Credit codes are synthetic but valid (GB 32100): 机构编制 (1) + 机关 (1) + division +
 * a GB 11714 organisation code + check character.
 */
export interface DemoOrganisation {
  key: string;
  name: string;
  divisionCode: string;
  level: 'province' | 'city' | 'county';
  kind: 'government' | 'data_authority' | 'department';
  parent?: string;
}

export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [
  { key: 'gov', name: '青海省人民政府', divisionCode: '630000', level: 'province', kind: 'government' },
  { key: 'authority', name: '青海省政务服务监督管理局', divisionCode: '630000', level: 'province', kind: 'data_authority', parent: 'gov' },
  { key: 'office', name: '青海省人民政府办公厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'ndrc', name: '青海省发展和改革委员会', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'edu', name: '青海省教育厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'police', name: '青海省公安厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'civil', name: '青海省民政厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'justice', name: '青海省司法厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'finance', name: '青海省财政厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'hrss', name: '青海省人力资源和社会保障厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'land', name: '青海省自然资源厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'eco', name: '青海省生态环境厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'housing', name: '青海省住房和城乡建设厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'transport', name: '青海省交通运输厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'agri', name: '青海省农业农村厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'health', name: '青海省卫生健康委员会', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'emergency', name: '青海省应急管理厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'audit', name: '青海省审计厅', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'market', name: '青海省市场监督管理局', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'medical', name: '青海省医疗保障局', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'stats', name: '青海省统计局', divisionCode: '630000', level: 'province', kind: 'department', parent: 'gov' },
  { key: 'xining', name: '西宁市人民政府', divisionCode: '630100', level: 'city', kind: 'government', parent: 'gov' },
  { key: 'xining.authority', name: '西宁市政务服务监督管理局', divisionCode: '630100', level: 'city', kind: 'data_authority', parent: 'xining' },
  { key: 'xining.chengdong', name: '西宁市城东区人民政府', divisionCode: '630102', level: 'county', kind: 'government', parent: 'xining' },
  { key: 'haidong', name: '海东市人民政府', divisionCode: '630200', level: 'city', kind: 'government', parent: 'gov' },
  { key: 'haixi', name: '海西蒙古族藏族自治州人民政府', divisionCode: '632800', level: 'city', kind: 'government', parent: 'gov' },
];

export interface DemoUser {
  username: string;
  displayName: string;
  organisation: string;
  roles: Role[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', displayName: '马国强（系统管理员）', organisation: 'authority', roles: ['platform_admin'] },
  { username: 'secadmin', displayName: '李海燕（安全管理员）', organisation: 'authority', roles: ['security_admin'] },
  { username: 'auditor', displayName: '赵文博（安全审计员）', organisation: 'authority', roles: ['audit_admin'] },
  { username: 'authority', displayName: '韩静（数据资源处）', organisation: 'authority', roles: ['data_authority'] },
  { username: 'police.editor', displayName: '才让多杰', organisation: 'police', roles: ['catalog_editor'] },
  { username: 'police.approver', displayName: '张立新', organisation: 'police', roles: ['provider_approver'] },
  { username: 'police.consumer', displayName: '刘洋', organisation: 'police', roles: ['consumer'] },
  { username: 'market.editor', displayName: '祁文娟', organisation: 'market', roles: ['catalog_editor'] },
  { username: 'market.approver', displayName: '孙建华', organisation: 'market', roles: ['provider_approver'] },
  { username: 'market.consumer', displayName: '马晓梅', organisation: 'market', roles: ['consumer'] },
  { username: 'hrss.consumer', displayName: '周桂兰', organisation: 'hrss', roles: ['consumer'] },
  { username: 'analyst', displayName: '陈思远', organisation: 'stats', roles: ['analyst'] },
];
