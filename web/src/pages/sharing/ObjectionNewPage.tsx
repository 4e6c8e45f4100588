import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { grantApi, sharingApi, type ObjectionInput, type ObjectionKind } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { TEXT_MAX } from '../../components/sharing/ApplicationForm';
import { objectionApi } from '../../components/sharing/ObjectionBits';

type Values = { kind: ObjectionKind; grantId?: string; recordKey?: string[]; items?: string[]; description?: string; applicationId?: string; reason?: string };

/**
 * 提出异议: to data received under one of the organisation's grants (the provider answers within
 * 5 working days), or to the refusal of one of its applications (the data authority arbitrates).
 * `?grantId=` or `?applicationId=` preselects what it is about (links from a grant or application).
 */
export default function ObjectionNewPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { ok, errorText } = useFeedback();
  const initialKind: ObjectionKind = params.get('applicationId') || params.get('kind') === 'refusal' ? 'refusal' : 'data';
  const [kind, setKind] = useState<ObjectionKind>(initialKind);
  const [form] = Form.useForm<Values>();
  const grantId = Form.useWatch('grantId', form) as string | undefined;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { data: grants, loading: grantsLoading } = useAsync(() => grantApi.list({ as: 'consumer', pageSize: 200 }).then((p) => p.items), []);
  const { data: rejected, loading: appsLoading } = useAsync(() => sharingApi.list({ scope: 'mine', status: 'rejected', pageSize: 200 }).then((p) => p.items), []);
  // One objection per refused application: those already objected to are not offered again.
  const { data: objected } = useAsync(
    () => objectionApi.list({ scope: 'mine', kind: 'refusal', pageSize: 200 }).then((p) => new Set(p.items.map((o) => o.applicationId))),
    [],
  );
  const grant = grants?.find((g) => g.id === grantId);
  const required = (message: string) => [{ required: true, whitespace: true, message }];

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    const body: ObjectionInput =
      v.kind === 'data'
        ? { kind: 'data', grantId: v.grantId, description: v.description?.trim(), ...(v.recordKey?.length ? { recordKey: v.recordKey } : {}), ...(v.items?.length ? { items: v.items } : {}) }
        : { kind: 'refusal', applicationId: v.applicationId, reason: v.reason?.trim() };
    try {
      const o = await objectionApi.file(body);
      ok(t('objection.filed'));
      navigate(`/sharing/objections/${o.id}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="page-sharing-objection-new">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.sharingObjectionNew')}
      </Typography.Title>
      <Card style={{ maxWidth: 860 }}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="objection-new-error" />}
        <Form
          form={form}
          layout="vertical"
          initialValues={{ kind: initialKind, grantId: params.get('grantId') ?? undefined, applicationId: params.get('applicationId') ?? undefined }}
          onFinish={(v) => void submit(v)}
        >
          <Form.Item name="kind" label={t('objection.kind')}>
            <Radio.Group onChange={(e) => setKind(e.target.value as ObjectionKind)} data-testid="objection-kind">
              <Radio value="data" data-testid="objection-kind-data">
                {t('objection.kind.data')}
              </Radio>
              <Radio value="refusal" data-testid="objection-kind-refusal">
                {t('objection.kind.refusal')}
              </Radio>
            </Radio.Group>
          </Form.Item>
          <Typography.Paragraph type="secondary">{t(kind === 'data' ? 'objection.dataIntro' : 'objection.refusalIntro')}</Typography.Paragraph>
          {kind === 'data' ? (
            <>
              <Form.Item name="grantId" label={t('objection.grant')} rules={[{ required: true, message: t('objection.grantRequired') }]}>
                <Select
                  showSearch
                  loading={grantsLoading}
                  optionFilterProp="label"
                  options={(grants ?? []).map((g) => ({ value: g.id, label: `${g.catalog.name}（${g.providerName}）` }))}
                  // The items belong to the grant: another grant's are cleared.
                  onChange={() => form.setFieldValue('items', [])}
                  data-testid="objection-grant"
                />
              </Form.Item>
              <Form.Item name="items" label={t('objection.items')}>
                <Select mode="multiple" allowClear options={(grant?.items ?? []).map((c) => ({ value: c, label: c }))} data-testid="objection-items" />
              </Form.Item>
              <Form.Item name="recordKey" label={t('objection.recordKeys')} extra={t('objection.recordKeysHelp')}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} data-testid="objection-record-keys" />
              </Form.Item>
              <Form.Item name="description" label={t('objection.description')} rules={required(t('objection.descriptionRequired'))}>
                <Input.TextArea rows={4} maxLength={TEXT_MAX} data-testid="objection-description" />
              </Form.Item>
            </>
          ) : (
            <>
              <Form.Item name="applicationId" label={t('objection.application')} rules={[{ required: true, message: t('objection.applicationRequired') }]}>
                <Select
                  showSearch
                  loading={appsLoading}
                  optionFilterProp="label"
                  options={(rejected ?? []).filter((a) => !objected?.has(a.id)).map((a) => ({ value: a.id, label: `${a.catalog.name}（${a.providerName}）` }))}
                  data-testid="objection-application"
                />
              </Form.Item>
              <Form.Item name="reason" label={t('objection.reason')} extra={t('objection.reasonHelp')} rules={required(t('objection.reasonRequired'))}>
                <Input.TextArea rows={4} maxLength={TEXT_MAX} data-testid="objection-reason" />
              </Form.Item>
            </>
          )}
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="objection-submit">
              {t('objection.submit')}
            </Button>
            <Button onClick={() => navigate('/sharing/objections')}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      </Card>
    </div>
  );
}
