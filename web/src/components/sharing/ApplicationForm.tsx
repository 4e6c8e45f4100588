import { useState } from 'react';
import { Alert, Checkbox, DatePicker, Form, Input, Modal, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { sharingApi, type Application, type ShareMethod } from '../../api';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { fieldValue } from '../catalog/CatalogBits';
import { shareableItems, type CartItem } from '../../lib/cart';
import { validUntilAllowed, validUntilBounds } from '../../lib/sharing';
import { buttonTestId } from '../../lib/testid';

/** What an application states besides the entry and its items; the cart shares one of these. */
export interface CommonValues {
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  validUntil: Dayjs;
}

export const TEXT_MAX = 2000;

export function commonInitial(methods: readonly ShareMethod[]): Partial<CommonValues> {
  return { methods: [...methods], validUntil: dayjs(validUntilBounds().proposed) };
}

export const trimmedCommon = (v: CommonValues) => ({
  purpose: v.purpose.trim(),
  legalBasis: v.legalBasis.trim(),
  scenario: v.scenario.trim(),
  methods: v.methods,
  validUntil: v.validUntil.format('YYYY-MM-DD'),
});

/** Purpose, legal basis, scenario, methods and validity, as Form.Items of the surrounding form. */
export function CommonFields({ methods, testPrefix = 'apply' }: { methods: readonly ShareMethod[]; testPrefix?: string }) {
  const { t } = useI18n();
  const required = (key: Parameters<typeof t>[0]) => [{ required: true, whitespace: true, message: t(key) }];
  return (
    <>
      <Form.Item name="purpose" label={t('apply.purpose')} extra={t('apply.purposeHelp')} rules={required('apply.purposeRequired')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={TEXT_MAX} data-testid={`${testPrefix}-purpose`} />
      </Form.Item>
      <Form.Item name="legalBasis" label={t('apply.legalBasis')} extra={t('apply.legalBasisHelp')} rules={required('apply.legalBasisRequired')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={TEXT_MAX} data-testid={`${testPrefix}-legalBasis`} />
      </Form.Item>
      <Form.Item name="scenario" label={t('apply.scenario')} extra={t('apply.scenarioHelp')} rules={required('apply.scenarioRequired')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={TEXT_MAX} data-testid={`${testPrefix}-scenario`} />
      </Form.Item>
      <Space align="start" wrap size={32}>
        <Form.Item name="methods" label={t('apply.methods')} rules={[{ required: true, type: 'array', min: 1, message: t('apply.methodsRequired') }]}>
          <Checkbox.Group
            options={methods.map((m) => ({ value: m, label: <span data-testid={`${testPrefix}-method-${m}`}>{fieldValue(t, 'shareMethods', m)}</span> }))}
          />
        </Form.Item>
        <Form.Item
          name="validUntil"
          label={t('apply.validUntil')}
          extra={t('apply.validUntilHelp')}
          rules={[
            { required: true, message: t('apply.validUntilRequired') },
            { validator: (_, v?: Dayjs) => (!v || validUntilAllowed(v.format('YYYY-MM-DD')) ? Promise.resolve() : Promise.reject(new Error(t('apply.validUntilRange')))) },
          ]}
        >
          <DatePicker allowClear={false} disabledDate={(d) => !validUntilAllowed(d.format('YYYY-MM-DD'))} data-testid={`${testPrefix}-validUntil`} />
        </Form.Item>
      </Space>
    </>
  );
}

/** The entry's items as checkboxes; items not shared are listed but cannot be chosen. */
export function ItemsChecklist({
  items,
  value,
  onChange,
  entryUnconditional,
  testId,
}: {
  items: readonly CartItem[];
  value?: string[];
  onChange?: (v: string[]) => void;
  entryUnconditional: boolean;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <Checkbox.Group value={value} onChange={(v) => onChange?.(v as string[])} data-testid={testId} style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px' }}>
      {items.map((i) => (
        <Checkbox key={i.column} value={i.column} disabled={i.shareType === 'none'} data-testid={`${testId}-${i.column}`}>
          {i.name}
          <Typography.Text type="secondary" className="mono" style={{ marginLeft: 4 }}>
            {i.column}
          </Typography.Text>
          {i.piiKind && <Tag color="orange" style={{ marginLeft: 4 }}>{fieldValue(t, 'piiKind', i.piiKind)}</Tag>}
          {i.shareType === 'none' && <Tag style={{ marginLeft: 4 }}>{t('shareType.none')}</Tag>}
          {entryUnconditional && i.shareType === 'conditional' && <Tag color="gold" style={{ marginLeft: 4 }}>{t('apply.itemNeedsApproval')}</Tag>}
        </Checkbox>
      ))}
    </Checkbox.Group>
  );
}

export interface ApplyTarget {
  catalogId: string;
  name: string;
  providerName: string;
  shareType: 'unconditional' | 'conditional';
  shareMethods: ShareMethod[];
  items: CartItem[];
}

/** One application from the entry's page: items, purpose, legal basis, scenario, methods, validity. */
export function ApplyDialog({ target, onClose, onDone }: { target: ApplyTarget; onClose: () => void; onDone: (a: Application) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<CommonValues & { items: string[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shareable = shareableItems(target.items).map((i) => i.column);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      onDone(await sharingApi.apply({ catalogId: target.catalogId, items: v.items, ...trimmedCommon(v) }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={760}
      title={t('apply.title', { name: target.name })}
      okText={t('apply.submit')}
      okButtonProps={buttonTestId('apply-submit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      <Typography.Paragraph type="secondary">
        {target.shareType === 'unconditional' ? t('apply.introUnconditional') : t('apply.introConditional', { provider: target.providerName })}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="apply-error" />}
      <Form form={form} layout="vertical" initialValues={{ items: shareable, ...commonInitial(target.shareMethods) }}>
        <Form.Item name="items" label={t('apply.items')} rules={[{ required: true, type: 'array', min: 1, message: t('apply.itemsRequired') }]}>
          <ItemsChecklist items={target.items} entryUnconditional={target.shareType === 'unconditional'} testId="apply-items" />
        </Form.Item>
        <CommonFields methods={target.shareMethods} />
      </Form>
    </Modal>
  );
}
