import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import type { DemandInput } from '../../api';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { TEXT_MAX } from '../../components/sharing/ApplicationForm';
import { demandApi } from '../../components/sharing/DemandBits';

type Values = { title: string; description: string; items?: string[]; purpose: string; legalBasis?: string; expectedBy?: string };

/** 提出数据需求: data no catalog entry describes; the data authority routes it to whoever holds it. */
export default function DemandNewPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { ok, errorText } = useFeedback();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const required = (message: string) => [{ required: true, whitespace: true, message }];

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    const text = (s?: string) => (s?.trim() ? s.trim() : undefined);
    const body: DemandInput = {
      title: v.title.trim(),
      description: v.description.trim(),
      purpose: v.purpose.trim(),
      ...(v.items?.length ? { items: v.items } : {}),
      ...(text(v.legalBasis) ? { legalBasis: text(v.legalBasis) } : {}),
      ...(v.expectedBy ? { expectedBy: v.expectedBy } : {}),
    };
    try {
      const d = await demandApi.file(body);
      ok(t('demand.filed'));
      navigate(`/sharing/demands/${d.id}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="page-sharing-demand-new">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.sharingDemandNew')}
      </Typography.Title>
      <Card style={{ maxWidth: 860 }}>
        <Typography.Paragraph type="secondary">{t('demand.newIntro')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="demand-new-error" />}
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="title" label={t('demand.titleField')} rules={required(t('demand.titleRequired'))}>
            <Input maxLength={200} data-testid="demand-title" />
          </Form.Item>
          <Form.Item name="description" label={t('demand.description')} extra={t('demand.descriptionHelp')} rules={required(t('demand.descriptionRequired'))}>
            <Input.TextArea rows={4} maxLength={TEXT_MAX} data-testid="demand-description" />
          </Form.Item>
          <Form.Item name="items" label={t('demand.items')} extra={t('demand.itemsHelp')}>
            <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} data-testid="demand-items" />
          </Form.Item>
          <Form.Item name="purpose" label={t('apply.purpose')} rules={required(t('demand.purposeRequired'))}>
            <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-purpose" />
          </Form.Item>
          <Form.Item name="legalBasis" label={t('apply.legalBasis')} extra={t('demand.legalBasisHelp')}>
            <Input.TextArea rows={2} maxLength={TEXT_MAX} data-testid="demand-legal-basis" />
          </Form.Item>
          <Form.Item name="expectedBy" label={t('demand.expectedBy')}>
            <Input type="date" style={{ width: 200 }} data-testid="demand-expected-by" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="demand-submit">
              {t('demand.submit')}
            </Button>
            <Button onClick={() => navigate('/sharing/demands')}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      </Card>
    </div>
  );
}
