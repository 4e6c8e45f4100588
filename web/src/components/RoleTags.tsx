import { Tag } from 'antd';
import { ADMIN_ROLES, type Role } from '../api';
import { useI18n } from '../i18n';

const ROLE_COLOURS: Record<Role, string> = {
  platform_admin: 'geekblue',
  security_admin: 'volcano',
  audit_admin: 'purple',
  data_authority: 'gold',
  catalog_editor: 'cyan',
  provider_approver: 'green',
  consumer: 'blue',
  analyst: 'magenta',
};

export function RoleTags({ roles, emptyText }: { roles: readonly Role[]; emptyText?: string }) {
  const { t } = useI18n();
  if (roles.length === 0) return <span style={{ color: 'rgba(0,0,0,0.45)' }}>{emptyText ?? t('role.none')}</span>;
  // Administrator roles first: they matter most when reading a row.
  const isAdmin = (r: Role) => (ADMIN_ROLES as readonly Role[]).includes(r);
  const sorted = [...roles].sort((a, b) => Number(isAdmin(b)) - Number(isAdmin(a)));
  return (
    <span>
      {sorted.map((r) => (
        <Tag key={r} color={ROLE_COLOURS[r]} style={{ marginBottom: 2 }}>
          {t(`role.${r}`)}
        </Tag>
      ))}
    </span>
  );
}
