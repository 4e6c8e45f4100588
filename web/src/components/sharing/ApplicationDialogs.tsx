import { useState, type ReactNode } from 'react';
import { Alert, Form, Input, Modal, Spin, Switch, Typography } from 'antd';
import { catalogApi, sharingApi, type Application } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { defaultTermsForm } from '../../lib/sharing';
import { buttonTestId } from '../../lib/testid';
import { GrantTermsFields, termsOfState, toFormState, type TermsFormState, type TermsItem } from './GrantTermsFields';
import { TEXT_MAX } from './ApplicationForm';

/** A modal with a form, a busy state and the server's refusal shown inside it. */
export function FormDialog<V extends object>({
  title,
  okText,
  okTestId,
  danger,
  width,
  initialValues,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  okText: string;
  okTestId: string;
  danger?: boolean;
  width?: number;
  initialValues?: Partial<V>;
  onClose: () => void;
  onSubmit: (values: V) => Promise<void>;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<V>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(v);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={width}
      title={title}
      okText={okText}
      okButtonProps={buttonTestId(okTestId, danger ? { danger: true } : {})}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" initialValues={initialValues as never}>
        {children}
      </Form>
    </Modal>
  );
}

interface DialogProps {
  app: Application;
  onClose: () => void;
  onDone: (a: Application) => void;
}

const needsCountersign = (app: Application) => app.needsCountersignature || ['core', 'important'].includes(app.catalog.securityGrade);

/** The entry's item names and PII kinds for the terms table (the columns alone if it cannot be read). */
async function termsItems(app: Application): Promise<TermsItem[]> {
  const entry = await catalogApi.get(app.catalog.id).catch(() => null);
  return app.items.map((c) => {
    const i = entry?.items.find((x) => x.column === c);
    return { column: c, name: i?.name ?? c, piiKind: i?.piiKind ?? null };
  });
}

type ApproveValues = { comment?: string; setTerms?: boolean } & TermsFormState;

/**
 * Approval: the provider's approver may set the grant's terms (masking preset from the items' PII
 * kinds); the authority countersigns what the provider approved.
 */
export function ApproveDialog({ app, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  const provider = app.status === 'pending';
  const { data: items } = useAsync(() => (provider ? termsItems(app) : Promise.resolve([])), [app.id, provider]);
  if (provider && !items) {
    return (
      <Modal open title={t('decide.approveTitle')} footer={null} onCancel={onClose}>
        <Spin />
      </Modal>
    );
  }
  const defaults = provider && items ? defaultTermsForm(items, app.validUntil) : undefined;
  // The server's presets (by PII kind) win over the portal's copy of the rule.
  if (defaults && app.defaultMasking) defaults.masking = { ...defaults.masking, ...app.defaultMasking };
  const initial = { ...(defaults ? toFormState(defaults) : {}), setTerms: false };
  return (
    <FormDialog<ApproveValues>
      title={provider ? t('decide.approveTitle') : t('decide.countersignTitle')}
      okText={provider ? t('decide.approve') : t('decide.countersign')}
      okTestId="approve-submit"
      width={provider ? 860 : 520}
      initialValues={initial}
      onClose={onClose}
      onSubmit={async (v) => onDone(await sharingApi.approve(app.id, { ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}), ...(provider && v.setTerms ? { grant: termsOfState(v) } : {}) }))}
    >
      <Typography.Paragraph>
        {app.catalog.name} · {app.applicant.organisationName}
      </Typography.Paragraph>
      {provider && needsCountersign(app) && <Alert type="info" showIcon title={t('decide.willCountersign')} style={{ marginBottom: 16 }} />}
      <Form.Item name="comment" label={t('decide.comment')}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={TEXT_MAX} data-testid="approve-comment" />
      </Form.Item>
      {provider && items && <TermsToggle items={items} latest={app.validUntil} />}
    </FormDialog>
  );
}

function TermsToggle({ items, latest }: { items: TermsItem[]; latest: string }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<ApproveValues>();
  const on = Form.useWatch('setTerms', form) as boolean | undefined;
  return (
    <>
      <Form.Item name="setTerms" valuePropName="checked" label={t('decide.setTerms')} extra={on ? undefined : t('decide.defaultTerms')}>
        <Switch data-testid="approve-set-terms" />
      </Form.Item>
      {on && <GrantTermsFields items={items} latest={latest} />}
    </>
  );
}

/** A refusal must give its reason and legal basis (非因法定事由不得拒绝). */
export function RejectDialog({ app, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  const required = (key: MessageKey) => [{ required: true, whitespace: true, message: t(key) }];
  return (
    <FormDialog<{ reason: string; legalBasis: string }>
      title={t('decide.rejectTitle')}
      okText={t('decide.reject')}
      okTestId="reject-submit"
      danger
      onClose={onClose}
      onSubmit={async (v) => onDone(await sharingApi.reject(app.id, { reason: v.reason.trim(), legalBasis: v.legalBasis.trim() }))}
    >
      <Alert type="warning" showIcon title={t('decide.rejectRule')} style={{ marginBottom: 16 }} />
      <Form.Item name="reason" label={t('decide.reason')} rules={required('decide.reasonRequired')}>
        <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="reject-reason" />
      </Form.Item>
      <Form.Item name="legalBasis" label={t('decide.legalBasis')} extra={t('decide.legalBasisHelp')} rules={required('decide.legalBasisRequired')}>
        <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="reject-legal-basis" />
      </Form.Item>
    </FormDialog>
  );
}

export function WithdrawDialog({ app, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ reason?: string }>
      title={t('decide.withdrawTitle')}
      okText={t('decide.withdraw')}
      okTestId="withdraw-submit"
      danger
      onClose={onClose}
      onSubmit={async (v) => onDone(await sharingApi.withdraw(app.id, v.reason?.trim() || undefined))}
    >
      <Form.Item name="reason" label={t('decide.withdrawReason')}>
        <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="withdraw-reason" />
      </Form.Item>
    </FormDialog>
  );
}
