import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Empty, Form, Input, Radio, Space, Spin, Tag, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { profileApi, type Profile, type ProfileKind } from '../../api';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { RecordsTable } from '../../components/resources/ResourceBits';

/** The server's path patterns (resources.routes.ts): format only, so anything it accepts can be asked. */
const KEY_PATTERN: Record<ProfileKind, RegExp> = {
  person: /^[0-9]{17}[0-9Xx]$/,
  enterprise: /^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$/,
};

const isKind = (v: string | null): v is ProfileKind => v === 'person' || v === 'enterprise';

export default function ProfilePage() {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [params, setParams] = useSearchParams();
  const kind: ProfileKind = isKind(params.get('kind')) ? (params.get('kind') as ProfileKind) : 'person';
  const key = (params.get('key') ?? '').trim();
  const [form] = Form.useForm<{ kind: ProfileKind; key: string }>();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The query lives in the URL so a profile can be reloaded or shared as a link.
  useEffect(() => {
    form.setFieldsValue({ kind, key });
    setProfile(null);
    setError(null);
    if (!key || !KEY_PATTERN[kind].test(key)) return;
    let live = true;
    setBusy(true);
    profileApi
      .get(kind, key.toUpperCase())
      .then((p) => live && setProfile(p))
      .catch((e: unknown) => live && setError(errorText(e)))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [kind, key]);

  const search = (v: { kind: ProfileKind; key: string }) => setParams({ kind: v.kind, key: v.key.trim().toUpperCase() });

  return (
    <div data-testid="page-profiles">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.profiles')}
      </Typography.Title>
      <Card style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary">{t('profile.intro')}</Typography.Paragraph>
        <Form form={form} layout="inline" initialValues={{ kind, key }} onFinish={search} data-testid="profile-form">
          <Form.Item name="kind">
            <Radio.Group
              optionType="button"
              onChange={() => void form.validateFields(['key']).catch(() => undefined)}
              options={[
                { value: 'person', label: <span data-testid="profile-kind-person">{t('profile.kind.person')}</span> },
                { value: 'enterprise', label: <span data-testid="profile-kind-enterprise">{t('profile.kind.enterprise')}</span> },
              ]}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a, b) => a.kind !== b.kind}>
            {({ getFieldValue }) => {
              const k = getFieldValue('kind') as ProfileKind;
              return (
                <Form.Item
                  name="key"
                  rules={[
                    { required: true, message: t(`profile.invalid.${k}`) },
                    { validator: (_, v: string | undefined) => (!v || KEY_PATTERN[k].test(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t(`profile.invalid.${k}`)))) },
                  ]}
                >
                  <Input allowClear maxLength={18} style={{ width: 280 }} className="mono" placeholder={t(`profile.key.${k}`)} data-testid="profile-key" />
                </Form.Item>
              );
            }}
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={busy} data-testid="profile-search">
              {t('profile.search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="profile-error" />}
      {busy && !profile && <Spin style={{ display: 'block', margin: '32px auto' }} />}
      {profile && profile.sections.length === 0 && (
        <Card>
          <Empty description={t('profile.empty', { key: profile.key })} data-testid="profile-empty" />
        </Card>
      )}
      {profile && profile.sections.length > 0 && (
        <div data-testid="profile-result">
          <Typography.Paragraph>
            <Tag color="blue" className="mono">{profile.key}</Tag>
            {t('profile.found', { n: profile.sections.length })}
          </Typography.Paragraph>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            {profile.sections.map((s) => (
              <Card
                key={s.resource.id}
                size="small"
                data-testid={`profile-section-${s.resource.id}`}
                title={
                  <Space wrap>
                    <Link to={`/resources/${s.resource.id}`}>{s.resource.name}</Link>
                    <Link to={`/catalog/entries/${s.resource.catalog.id}`} className="mono" style={{ fontWeight: 'normal' }}>
                      {s.resource.catalog.code}
                    </Link>
                  </Space>
                }
                extra={<Typography.Text type="secondary">{t('profile.records', { n: s.records.length })}</Typography.Text>}
              >
                <RecordsTable columns={s.resource.columns} records={s.records} testId={`profile-records-${s.resource.id}`} />
              </Card>
            ))}
          </Space>
        </div>
      )}
    </div>
  );
}
