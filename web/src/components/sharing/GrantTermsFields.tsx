import { Button, DatePicker, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { CONSUMER_DIVISION, MASK_RULES, ROW_FILTER_OPS, type GrantTerms, type MaskRule, type RowFilterOp } from '../../api';
import { useI18n } from '../../i18n';
import { fieldValue } from '../catalog/CatalogBits';
import { shanghaiDate, termsFromForm, type TermsFormValues } from '../../lib/sharing';
import { maskRuleLabel } from './SharingBits';

/** The terms as an antd form holds them: the expiry as a date picker's value. */
export type TermsFormState = Omit<TermsFormValues, 'expiresOn'> & { expiresOn: Dayjs };

export const toFormState = (v: TermsFormValues): TermsFormState => ({ ...v, expiresOn: dayjs(v.expiresOn) });
export const termsOfState = (v: TermsFormState): GrantTerms => termsFromForm({ ...v, expiresOn: v.expiresOn.format('YYYY-MM-DD') });

export interface TermsItem {
  column: string;
  name: string;
  piiKind: string | null;
}

/**
 * Masking per item, row filter, rate limit, IP allow-list and expiry, as Form.Items of the
 * surrounding form (whose values are a TermsFormState). `latest` is the last day allowed (the
 * application's validUntil).
 */
export function GrantTermsFields({ items, latest }: { items: readonly TermsItem[]; latest: string }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<TermsFormState>();
  const filterOn = Form.useWatch('rowFilterOn', form) as boolean | undefined;
  const op = Form.useWatch('rowFilterOp', form) as RowFilterOp | undefined;
  const today = shanghaiDate(Date.now());
  const maskOptions = MASK_RULES.map((r) => ({ value: r, label: maskRuleLabel(t, r) }));

  return (
    <div data-testid="grant-terms">
      <Typography.Title level={5}>{t('terms.masking')}</Typography.Title>
      <Table<TermsItem>
        rowKey="column"
        size="small"
        pagination={false}
        dataSource={[...items]}
        style={{ marginBottom: 16 }}
        columns={[
          { title: t('item.name'), dataIndex: 'name' },
          { title: t('item.column'), dataIndex: 'column', width: 160, render: (v: string) => <span className="mono">{v}</span> },
          { title: t('item.piiKind'), dataIndex: 'piiKind', width: 130, render: (v: string | null) => (v ? <Tag color="orange">{fieldValue(t, 'piiKind', v)}</Tag> : '—') },
          {
            title: t('terms.maskRule'),
            key: 'rule',
            width: 220,
            render: (_, i) => (
              <Form.Item name={['masking', i.column]} style={{ marginBottom: 0 }}>
                <Select<MaskRule> options={maskOptions} style={{ width: 200 }} data-testid={`terms-mask-${i.column}`} />
              </Form.Item>
            ),
          },
        ]}
      />

      <Typography.Title level={5}>{t('terms.rowFilter')}</Typography.Title>
      <Space align="start" wrap>
        <Form.Item name="rowFilterOn" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Switch checkedChildren={t('terms.rowFilterOn')} unCheckedChildren={t('terms.rowFilterOff')} data-testid="terms-row-filter-on" />
        </Form.Item>
        {filterOn && (
          <>
            <Form.Item name="rowFilterColumn" rules={[{ required: true, message: t('terms.rowFilterColumnRequired') }]} style={{ marginBottom: 8 }}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('terms.rowFilterColumn')}
                options={items.map((i) => ({ value: i.column, label: `${i.name}（${i.column}）` }))}
                style={{ width: 220 }}
                data-testid="terms-row-filter-column"
              />
            </Form.Item>
            <Form.Item name="rowFilterOp" style={{ marginBottom: 8 }}>
              <Select options={ROW_FILTER_OPS.map((o) => ({ value: o, label: t(`grant.rowFilter.op.${o}`) }))} style={{ width: 120 }} data-testid="terms-row-filter-op" />
            </Form.Item>
            {op === 'in' ? (
              <Form.Item name="rowFilterValues" rules={[{ required: true, type: 'array', min: 1, message: t('terms.rowFilterValueRequired') }]} style={{ marginBottom: 8 }}>
                <Select mode="tags" tokenSeparators={[',', '，', ' ']} open={false} placeholder={t('terms.rowFilterValues')} style={{ width: 280 }} data-testid="terms-row-filter-values" />
              </Form.Item>
            ) : (
              <Form.Item name="rowFilterValue" rules={[{ required: true, whitespace: true, message: t('terms.rowFilterValueRequired') }]} style={{ marginBottom: 8 }}>
                <Input placeholder={t('terms.rowFilterValue')} style={{ width: 200 }} data-testid="terms-row-filter-value" />
              </Form.Item>
            )}
            <Button
              onClick={() => form.setFieldsValue({ rowFilterOp: 'prefix', rowFilterValue: CONSUMER_DIVISION })}
              title={t('terms.consumerDivisionHelp')}
              data-testid="terms-row-filter-division"
            >
              {t('terms.consumerDivision')}
            </Button>
          </>
        )}
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>
        {t('terms.rowFilterHelp')}
      </Typography.Paragraph>

      <Space align="start" wrap size={24}>
        <Form.Item name="rateLimitPerMinute" label={t('terms.rateLimit')} rules={[{ required: true, message: t('terms.rateLimitRequired') }]}>
          <InputNumber min={1} max={100000} precision={0} style={{ width: 160 }} data-testid="terms-rate-limit" />
        </Form.Item>
        <Form.Item name="expiresOn" label={t('terms.expiresOn')} extra={t('terms.expiresOnHelp', { date: latest })} rules={[{ required: true, message: t('terms.expiresOnRequired') }]}>
          <DatePicker
            allowClear={false}
            disabledDate={(d) => {
              const day = d.format('YYYY-MM-DD');
              return day < today || day > latest;
            }}
            data-testid="terms-expires-on"
          />
        </Form.Item>
      </Space>
      <Form.Item name="ipAllow" label={t('terms.ipAllow')} extra={t('terms.ipAllowHelp')}>
        <Select mode="tags" tokenSeparators={[',', '，', ' ', '\n']} open={false} placeholder="10.0.0.0/8, 192.168.1.20" data-testid="terms-ip-allow" />
      </Form.Item>
    </div>
  );
}
