/** The roles of DESIGN §3. The first three are the 三员 (three separated administrators). */
export const ROLES = [
  'platform_admin',
  'security_admin',
  'audit_admin',
  'data_authority',
  'catalog_editor',
  'provider_approver',
  'consumer',
  'analyst',
] as const;
export type Role = (typeof ROLES)[number];

/** 三员分立: system, security and audit administration; each excludes the others and every business role. */
export const ADMIN_ROLES: readonly Role[] = ['platform_admin', 'security_admin', 'audit_admin'];
export const BUSINESS_ROLES: readonly Role[] = ROLES.filter((r) => !ADMIN_ROLES.includes(r));

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  platform_admin: { zh: '系统管理员', en: 'Platform administrator' },
  security_admin: { zh: '安全管理员', en: 'Security administrator' },
  audit_admin: { zh: '安全审计员', en: 'Audit administrator' },
  data_authority: { zh: '数据主管部门', en: 'Data authority' },
  catalog_editor: { zh: '编目人员', en: 'Catalog editor' },
  provider_approver: { zh: '共享审批人', en: 'Provider approver' },
  consumer: { zh: '数据使用人', en: 'Data consumer' },
  analyst: { zh: '数据分析人员', en: 'Analyst' },
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Checks a role set against 三员分立. Returns the reason it is refused, or undefined when allowed:
 * an administrator role stands alone, so no one account can both act and audit, or grant itself.
 */
export function separationOfDutiesViolation(roles: readonly Role[]): string | undefined {
  const admin = roles.filter((r) => ADMIN_ROLES.includes(r));
  if (admin.length > 1) return `${admin.join(' and ')} must be held by different accounts`;
  if (admin.length === 1 && roles.length > 1) return `${admin[0]} cannot be combined with any other role`;
  return undefined;
}
