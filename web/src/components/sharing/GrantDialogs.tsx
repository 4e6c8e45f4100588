import { Alert, Form, Input, Modal, Spin } from 'antd';
import { grantApi, sharingApi, type Grant } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { grantTermsForm, shanghaiDate } from '../../lib/sharing';
import { FormDialog } from './ApplicationDialogs';
import { TEXT_MAX } from './ApplicationForm';
import { GrantTermsFields, termsOfState, toFormState, type TermsFormState, type TermsItem } from './GrantTermsFields';

interface Props {
  grant: Grant;
  onClose: () => void;
  onDone: (g: Grant) => void;
}

/** The provider changes an active grant's terms; the expiry may not pass the application's validUntil. */
export function EditTermsDialog({ grant, items, onClose, onDone }: Props & { items: TermsItem[] }) {
  const { t } = useI18n();
  const { data: latest } = useAsync(
    async () => (grant.applicationId ? (await sharingApi.get(grant.applicationId).catch(() => null))?.validUntil : undefined) ?? shanghaiDate(grant.expiresAt),
    [grant.id, grant.applicationId],
  );
  if (!latest) {
    return (
      <Modal open title={t('grant.editTitle')} footer={null} onCancel={onClose}>
        <Spin />
      </Modal>
    );
  }
  return (
    <FormDialog<TermsFormState>
      title={t('grant.editTitle')}
      okText={t('common.save')}
      okTestId="terms-submit"
      width={860}
      initialValues={toFormState(grantTermsForm(grant))}
      onClose={onClose}
      onSubmit={async (v) => onDone(await grantApi.update(grant.id, termsOfState(v)))}
    >
      <Alert type="info" showIcon title={t('grant.editHelp')} style={{ marginBottom: 16 }} />
      <GrantTermsFields items={items} latest={latest} />
    </FormDialog>
  );
}

/** Revocation takes effect at once; a consumer giving a grant up uses the same route. */
export function RevokeDialog({ grant, giveUp, onClose, onDone }: Props & { giveUp: boolean }) {
  const { t } = useI18n();
  return (
    <FormDialog<{ reason: string }>
      title={giveUp ? t('grant.giveUpTitle') : t('grant.revokeTitle')}
      okText={giveUp ? t('grant.giveUp') : t('grant.revoke')}
      okTestId="revoke-submit"
      danger
      onClose={onClose}
      onSubmit={async (v) => onDone(await grantApi.revoke(grant.id, v.reason.trim()))}
    >
      <Alert type="warning" showIcon title={t('grant.revokeWarning')} style={{ marginBottom: 16 }} />
      <Form.Item name="reason" label={t('grant.revokeReason')} rules={[{ required: true, whitespace: true, message: t('grant.revokeReasonRequired') }]}>
        <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="revoke-reason" />
      </Form.Item>
    </FormDialog>
  );
}
