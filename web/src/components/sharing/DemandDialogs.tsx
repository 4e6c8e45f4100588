import { useState } from 'react';
import { Button, Form, Input, Radio, Select, Space } from 'antd';
import { RollbackOutlined, SendOutlined, MessageOutlined } from '@ant-design/icons';
import { catalogApi, type Demand, type DemandAnswerKind } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { OrgSelect } from '../OrgSelect';
import { FormDialog } from './ApplicationDialogs';
import { TEXT_MAX } from './ApplicationForm';
import { demandApi } from './DemandBits';

interface DialogProps {
  demand: Demand;
  onClose: () => void;
  onDone: (d: Demand) => void;
}

const required = (t: (k: MessageKey) => string, key: MessageKey) => [{ required: true, whitespace: true, message: t(key) }];

/** The authority routes the demand to the organisation that holds the data. */
export function RouteDialog({ demand, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ providerOrgId: string; comment?: string }>
      title={t('demand.routeTitle')}
      okText={t('demand.route')}
      okTestId="demand-route-submit"
      onClose={onClose}
      onSubmit={async (v) => onDone(await demandApi.route(demand.id, { providerOrgId: v.providerOrgId, ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}) }))}
    >
      <Form.Item name="providerOrgId" label={t('demand.provider')} extra={t('demand.routeHelp')} rules={[{ required: true, message: t('demand.providerRequired') }]}>
        <OrgSelect excludeId={demand.requester.organisationId} placeholder={t('demand.providerPlaceholder')} data-testid="demand-route-provider" />
      </Form.Item>
      <Form.Item name="comment" label={t('decide.comment')}>
        <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-route-comment" />
      </Form.Item>
    </FormDialog>
  );
}

type AnswerValues = { kind: DemandAnswerKind; catalogId?: string; plannedDate?: string; comment?: string; reason?: string };

/** The provider's answer: an entry of its own, a date by which it will catalog the data, or not held. */
export function AnswerDialog({ demand, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  const [kind, setKind] = useState<DemandAnswerKind>('entry');
  // The organisation's own entries in force that are shared (a demand is answered with one of them;
  // an entry not shared is answered "not held" with its basis — the server checks the version in force).
  const { data: entries, loading } = useAsync(
    () => catalogApi.list({ scope: 'own', pageSize: 200 }).then((p) => p.items.filter((e) => e.publishedVersion !== null && e.status !== 'retired' && e.shareType !== 'none')),
    [],
  );
  return (
    <FormDialog<AnswerValues>
      title={t('demand.answerTitle')}
      okText={t('demand.answer')}
      okTestId="demand-answer-submit"
      width={620}
      initialValues={{ kind: 'entry' }}
      onClose={onClose}
      onSubmit={async (v) => {
        const text = (s?: string) => (s?.trim() ? s.trim() : undefined);
        const body =
          v.kind === 'entry'
            ? { kind: v.kind, catalogId: v.catalogId, ...(text(v.comment) ? { comment: text(v.comment) } : {}) }
            : v.kind === 'planned'
              ? { kind: v.kind, plannedDate: v.plannedDate, comment: text(v.comment) }
              : { kind: v.kind, reason: text(v.reason) };
        onDone(await demandApi.answer(demand.id, body));
      }}
    >
      <Form.Item name="kind" label={t('demand.answer.kind')}>
        <Radio.Group onChange={(e) => setKind(e.target.value as DemandAnswerKind)} data-testid="demand-answer-kind">
          {(['entry', 'planned', 'not_held'] as const).map((k) => (
            <Radio key={k} value={k} data-testid={`demand-answer-kind-${k}`}>
              {t(`demand.answer.kind.${k}`)}
            </Radio>
          ))}
        </Radio.Group>
      </Form.Item>
      {kind === 'entry' && (
        <>
          <Form.Item name="catalogId" label={t('demand.answer.catalog')} extra={t('demand.answer.catalogHelp')} rules={[{ required: true, message: t('demand.answer.catalogRequired') }]}>
            <Select
              showSearch
              loading={loading}
              optionFilterProp="label"
              options={(entries ?? []).map((e) => ({ value: e.id, label: `${e.name}（${e.code}）` }))}
              data-testid="demand-answer-catalog"
            />
          </Form.Item>
          <Form.Item name="comment" label={t('decide.comment')}>
            <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-answer-comment" />
          </Form.Item>
        </>
      )}
      {kind === 'planned' && (
        <>
          <Form.Item name="plannedDate" label={t('demand.answer.plannedDate')} rules={[{ required: true, message: t('demand.answer.plannedDateRequired') }]}>
            <Input type="date" style={{ width: 200 }} data-testid="demand-answer-planned-date" />
          </Form.Item>
          <Form.Item name="comment" label={t('demand.answer.plannedComment')} rules={required(t, 'demand.answer.commentRequired')}>
            <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-answer-comment" />
          </Form.Item>
        </>
      )}
      {kind === 'not_held' && (
        <Form.Item name="reason" label={t('decide.reason')} extra={t('demand.answer.notHeldHelp')} rules={required(t, 'decide.reasonRequired')}>
          <Input.TextArea rows={3} maxLength={TEXT_MAX} data-testid="demand-answer-reason" />
        </Form.Item>
      )}
    </FormDialog>
  );
}

export function DemandWithdrawDialog({ demand, onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  return (
    <FormDialog<{ reason?: string }>
      title={t('demand.withdrawTitle')}
      okText={t('decide.withdraw')}
      okTestId="demand-withdraw-submit"
      danger
      onClose={onClose}
      onSubmit={async (v) => onDone(await demandApi.withdraw(demand.id, v.reason?.trim() || undefined))}
    >
      <Form.Item name="reason" label={t('decide.withdrawReason')}>
        <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-withdraw-reason" />
      </Form.Item>
    </FormDialog>
  );
}

/** Route / answer / withdraw, as the server says the user may (demand.can). */
export function DemandActions({ demand, onChanged, size = 'middle' }: { demand: Demand; onChanged: (d: Demand) => void; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const { ok } = useFeedback();
  const [dialog, setDialog] = useState<'none' | 'route' | 'answer' | 'withdraw'>('none');
  const { can } = demand;
  if (!can.route && !can.answer && !can.withdraw) return null;
  const link = size === 'small';
  const done = (message: MessageKey) => (d: Demand) => {
    setDialog('none');
    ok(t(message));
    onChanged(d);
  };
  return (
    <>
      <Space size={link ? 0 : 8} wrap>
        {can.route && (
          <Button type={link ? 'link' : 'primary'} size={size} icon={<SendOutlined />} onClick={() => setDialog('route')} data-testid={`demand-route-${demand.id}`}>
            {demand.status === 'answered' ? t('demand.routeAgain') : t('demand.route')}
          </Button>
        )}
        {can.answer && (
          <Button type={link ? 'link' : 'primary'} size={size} icon={<MessageOutlined />} onClick={() => setDialog('answer')} data-testid={`demand-answer-${demand.id}`}>
            {t('demand.answer')}
          </Button>
        )}
        {can.withdraw && (
          <Button type={link ? 'link' : 'default'} danger size={size} icon={<RollbackOutlined />} onClick={() => setDialog('withdraw')} data-testid={`demand-withdraw-${demand.id}`}>
            {t('decide.withdraw')}
          </Button>
        )}
      </Space>
      {dialog === 'route' && <RouteDialog demand={demand} onClose={() => setDialog('none')} onDone={done('demand.routed')} />}
      {dialog === 'answer' && <AnswerDialog demand={demand} onClose={() => setDialog('none')} onDone={done('demand.answered')} />}
      {dialog === 'withdraw' && <DemandWithdrawDialog demand={demand} onClose={() => setDialog('none')} onDone={done('demand.withdrawn')} />}
    </>
  );
}
