import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Form, Input, Radio, Space } from 'antd';
import { AuditOutlined, CheckCircleOutlined, RollbackOutlined } from '@ant-design/icons';
import type { Objection } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { FormDialog } from './ApplicationDialogs';
import { TEXT_MAX } from './ApplicationForm';
import { objectionApi } from './ObjectionBits';

interface DialogProps {
  objection: Objection;
  onClose: () => void;
  onDone: (o: Objection) => void;
}

/** The provider answers an objection to its data. */
export function ResolveDialog({ objection, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ outcome: string; comment: string }>
      title={t('objection.resolveTitle')}
      okText={t('objection.resolve')}
      okTestId="objection-resolve-submit"
      initialValues={{ outcome: 'corrected' }}
      onClose={onClose}
      onSubmit={async (v) => onDone(await objectionApi.resolve(objection.id, { outcome: v.outcome, comment: v.comment.trim() }))}
    >
      <Form.Item name="outcome" label={t('objection.outcome')}>
        <Radio.Group data-testid="objection-resolve-outcome">
          {(['corrected', 'confirmed', 'rejected'] as const).map((o) => (
            <Radio key={o} value={o} data-testid={`objection-outcome-${o}`}>
              {t(`objection.outcome.${o}`)}
            </Radio>
          ))}
        </Radio.Group>
      </Form.Item>
      <Form.Item name="comment" label={t('decide.comment')} rules={[{ required: true, whitespace: true, message: t('objection.commentRequired') }]}>
        <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="objection-resolve-comment" />
      </Form.Item>
    </FormDialog>
  );
}

/** The responsible authority arbitrates an objection to a refusal. */
export function ArbitrateDialog({ objection, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ outcome: string; comment: string }>
      title={t('objection.arbitrateTitle')}
      okText={t('objection.arbitrate')}
      okTestId="objection-arbitrate-submit"
      initialValues={{ outcome: 'overturned' }}
      onClose={onClose}
      onSubmit={async (v) => onDone(await objectionApi.arbitrate(objection.id, { outcome: v.outcome, comment: v.comment.trim() }))}
    >
      <Alert type="info" showIcon title={t('objection.arbitrateRule')} style={{ marginBottom: 16 }} />
      <Form.Item name="outcome" label={t('objection.outcome')}>
        <Radio.Group data-testid="objection-arbitrate-outcome">
          {(['overturned', 'upheld', 'superseded'] as const).map((o) => (
            <Radio key={o} value={o} data-testid={`objection-outcome-${o}`}>
              {t(`objection.outcome.${o}`)}
            </Radio>
          ))}
        </Radio.Group>
      </Form.Item>
      <Form.Item name="comment" label={t('decide.comment')} rules={[{ required: true, whitespace: true, message: t('objection.commentRequired') }]}>
        <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="objection-arbitrate-comment" />
      </Form.Item>
    </FormDialog>
  );
}

/** The objector takes back an open objection (the reason is optional). */
export function WithdrawDialog({ objection, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ reason?: string }>
      title={t('objection.withdrawTitle')}
      okText={t('objection.withdraw')}
      okTestId="objection-withdraw-submit"
      onClose={onClose}
      onSubmit={async (v) => onDone(await objectionApi.withdraw(objection.id, v.reason?.trim() ? { reason: v.reason.trim() } : {}))}
    >
      <Form.Item name="reason" label={t('objection.withdrawReason')}>
        <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="objection-withdraw-reason" />
      </Form.Item>
    </FormDialog>
  );
}

/** Resolve / arbitrate / withdraw, as the server says the user may (objection.can). */
export function ObjectionActions({ objection, onChanged, size = 'middle' }: { objection: Objection; onChanged: (o: Objection) => void; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const { ok } = useFeedback();
  const [dialog, setDialog] = useState<'none' | 'resolve' | 'arbitrate' | 'withdraw'>('none');
  if (!objection.can.resolve && !objection.can.arbitrate && !objection.can.withdraw) return null;
  const link = size === 'small';
  const done = (message: MessageKey) => (o: Objection) => {
    setDialog('none');
    ok(t(message));
    onChanged(o);
  };
  return (
    <>
      <Space size={link ? 0 : 8}>
        {objection.can.resolve && (
          <Button type={link ? 'link' : 'primary'} size={size} icon={<CheckCircleOutlined />} onClick={() => setDialog('resolve')} data-testid={`objection-resolve-${objection.id}`}>
            {t('objection.resolve')}
          </Button>
        )}
        {objection.can.arbitrate && (
          <Button type={link ? 'link' : 'primary'} size={size} icon={<AuditOutlined />} onClick={() => setDialog('arbitrate')} data-testid={`objection-arbitrate-${objection.id}`}>
            {t('objection.arbitrate')}
          </Button>
        )}
        {objection.can.withdraw && (
          <Button type={link ? 'link' : 'default'} size={size} icon={<RollbackOutlined />} onClick={() => setDialog('withdraw')} data-testid={`objection-withdraw-${objection.id}`}>
            {t('objection.withdraw')}
          </Button>
        )}
      </Space>
      {dialog === 'resolve' && <ResolveDialog objection={objection} onClose={() => setDialog('none')} onDone={done('objection.resolved')} />}
      {dialog === 'arbitrate' && <ArbitrateDialog objection={objection} onClose={() => setDialog('none')} onDone={done('objection.arbitrated')} />}
      {dialog === 'withdraw' && <WithdrawDialog objection={objection} onClose={() => setDialog('none')} onDone={done('objection.withdrawn')} />}
    </>
  );
}

/**
 * A link to file an objection from a grant page (data) or a rejected application (refusal): the
 * lead may place `<ObjectionFileButton grantId=… />` / `<ObjectionFileButton applicationId=… />` there.
 */
export function ObjectionFileButton({ grantId, applicationId }: { grantId?: string; applicationId?: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const query = grantId ? `kind=data&grantId=${encodeURIComponent(grantId)}` : `kind=refusal&applicationId=${encodeURIComponent(applicationId ?? '')}`;
  return (
    <Button onClick={() => navigate(`/sharing/objections/new?${query}`)} data-testid="objection-file">
      {grantId ? t('objection.fileData') : t('objection.fileRefusal')}
    </Button>
  );
}
