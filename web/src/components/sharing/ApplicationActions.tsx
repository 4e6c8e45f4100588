import { useState } from 'react';
import { Button, Space } from 'antd';
import { CheckOutlined, CloseOutlined, RollbackOutlined } from '@ant-design/icons';
import type { Application, User } from '../../api';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { ApproveDialog, RejectDialog, WithdrawDialog } from './ApplicationDialogs';

export interface ApplicationPermissions {
  /** The provider's approver while pending, or the authority's data_authority while countersigning. */
  decide: boolean;
  withdraw: boolean;
}

/** What this user may do with it (the server checks again; this only hides what would be refused). */
export function applicationPermissions(app: Application, user: Pick<User, 'organisationId' | 'roles'>): ApplicationPermissions {
  const has = (r: User['roles'][number]) => user.roles.includes(r);
  const provider = app.status === 'pending' && has('provider_approver') && user.organisationId === app.providerId;
  // Only the responsible authority's data_authority can read a countersigning application of another organisation.
  const authority = app.status === 'countersigning' && has('data_authority') && user.organisationId !== app.providerId && user.organisationId !== app.applicant.organisationId;
  const withdraw = ['pending', 'countersigning'].includes(app.status) && has('consumer') && user.organisationId === app.applicant.organisationId;
  return { decide: provider || authority, withdraw };
}

/** Approve / reject / withdraw buttons with their dialogs, for a queue row or the detail page. */
export function ApplicationActions({ app, onChanged, size = 'middle' }: { app: Application; onChanged: (a: Application) => void; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const user = useCurrentUser();
  const { ok } = useFeedback();
  const [dialog, setDialog] = useState<'none' | 'approve' | 'reject' | 'withdraw'>('none');
  const can = applicationPermissions(app, user);
  if (!can.decide && !can.withdraw) return null;
  const done = (message: string) => (a: Application) => {
    setDialog('none');
    ok(message);
    onChanged(a);
  };
  const link = size === 'small';
  return (
    <>
      <Space size={link ? 0 : 8} wrap>
        {can.decide && (
          <>
            <Button type={link ? 'link' : 'primary'} size={size} icon={<CheckOutlined />} onClick={() => setDialog('approve')} data-testid={`application-approve-${app.id}`}>
              {app.status === 'countersigning' ? t('decide.countersign') : t('decide.approve')}
            </Button>
            <Button type={link ? 'link' : 'default'} danger size={size} icon={<CloseOutlined />} onClick={() => setDialog('reject')} data-testid={`application-reject-${app.id}`}>
              {t('decide.reject')}
            </Button>
          </>
        )}
        {can.withdraw && (
          <Button type={link ? 'link' : 'default'} danger size={size} icon={<RollbackOutlined />} onClick={() => setDialog('withdraw')} data-testid={`application-withdraw-${app.id}`}>
            {t('decide.withdraw')}
          </Button>
        )}
      </Space>
      {dialog === 'approve' && (
        <ApproveDialog app={app} onClose={() => setDialog('none')} onDone={(a) => done(a.status === 'countersigning' ? t('decide.sentToCountersign') : t('decide.approved'))(a)} />
      )}
      {dialog === 'reject' && <RejectDialog app={app} onClose={() => setDialog('none')} onDone={done(t('decide.rejected'))} />}
      {dialog === 'withdraw' && <WithdrawDialog app={app} onClose={() => setDialog('none')} onDone={done(t('decide.withdrawn'))} />}
    </>
  );
}
