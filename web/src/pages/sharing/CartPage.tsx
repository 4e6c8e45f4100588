import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Empty, Form, Popconfirm, Space, Table, Typography, type TableColumnsType } from 'antd';
import { DeleteOutlined, SendOutlined } from '@ant-design/icons';
import { ApiError, sharingApi, type ApplicationInput, type BatchProblem, type ShareMethod } from '../../api';
import { useI18n } from '../../i18n';
import { useCart } from '../../hooks/useCart';
import { useFeedback } from '../../hooks/useFeedback';
import { ShareTag } from '../../components/catalog/CatalogBits';
import { CommonFields, ItemsChecklist, commonInitial, trimmedCommon, type CommonValues } from '../../components/sharing/ApplicationForm';
import { MethodTags } from '../../components/sharing/SharingBits';
import { methodsFor, removeFromCart, writeCart, type CartEntry } from '../../lib/cart';
import { batchProblems } from '../../lib/sharing';
import { rowTestId } from '../../lib/testid';

const ALL_METHODS: ShareMethod[] = ['api', 'table', 'file'];

/**
 * 申请单: several entries applied for at once (POST /applications/batch, all or nothing). Each line
 * keeps its own items; purpose, legal basis, scenario, methods and validity are shared. A refusal
 * names the line of each problem.
 */
export default function CartPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { ok, errorText } = useFeedback();
  const { userId, entries } = useCart();
  const [form] = Form.useForm<CommonValues>();
  const chosen = (Form.useWatch('methods', form) as ShareMethod[] | undefined) ?? [];
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Problems by catalog id, from the client's own checks or the server's refusal. */
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const offered = useMemo(() => ALL_METHODS.filter((m) => entries.some((e) => e.shareMethods.includes(m))), [entries]);
  // The form starts with every method some line offers; later changes to the cart keep the choice.
  const [initial] = useState(() => commonInitial(offered));

  const setSelected = (catalogId: string, selected: string[]) => {
    writeCart(userId, entries.map((e) => (e.catalogId === catalogId ? { ...e, selected } : e)));
    setProblems(({ [catalogId]: _, ...rest }) => rest);
  };

  const localProblems = (v: CommonValues): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const e of entries) {
      const list: string[] = [];
      if (e.selected.length === 0) list.push(t('cart.noItems'));
      if (methodsFor(e, v.methods).length === 0) list.push(t('cart.noMethods'));
      if (list.length) out[e.catalogId] = list;
    }
    return out;
  };

  const serverProblems = (sent: readonly CartEntry[], list: BatchProblem[]): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const p of list) {
      const e = sent[p.index];
      if (!e) continue;
      const text = (lang === 'zh' ? p.messageZh || p.message : p.message || p.messageZh) ?? p.code;
      (out[e.catalogId] ??= []).push(text === p.code ? p.code : `${text}（${p.code}）`);
    }
    return out;
  };

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    const local = localProblems(v);
    setProblems(local);
    if (Object.keys(local).length) {
      setError(t('cart.fixRows'));
      return;
    }
    const sent = [...entries];
    const common = trimmedCommon(v);
    const body: ApplicationInput[] = sent.map((e) => ({ ...common, catalogId: e.catalogId, items: e.selected, methods: methodsFor(e, v.methods) }));
    setBusy(true);
    try {
      const result = await sharingApi.applyBatch(body);
      removeFromCart(userId, sent.map((e) => e.catalogId));
      const granted = result.items.filter((a) => a.status === 'granted').length;
      ok(t('cart.submitted', { n: result.items.length, granted, pending: result.items.length - granted }));
      navigate('/sharing/applications');
    } catch (e) {
      const rows = e instanceof ApiError ? serverProblems(sent, batchProblems(e.details)) : {};
      setProblems(rows);
      setError(Object.keys(rows).length ? `${errorText(e)} ${t('cart.seeRows')}` : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<CartEntry> = [
    {
      title: t('application.entry'),
      key: 'entry',
      width: 260,
      render: (_, e) => (
        <div>
          <Link to={`/catalog/entries/${e.catalogId}`}>{e.name}</Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{e.code}</div>
          <div style={{ color: 'rgba(0,0,0,0.65)' }}>{e.providerName}</div>
          <ShareTag shareType={e.shareType} />
        </div>
      ),
    },
    {
      title: t('apply.items'),
      key: 'items',
      render: (_, e) => (
        <ItemsChecklist items={e.items} value={e.selected} onChange={(v) => setSelected(e.catalogId, v)} entryUnconditional={e.shareType === 'unconditional'} testId={`cart-items-${e.catalogId}`} />
      ),
    },
    {
      title: t('cart.methods'),
      key: 'methods',
      width: 170,
      render: (_, e) => {
        const m = methodsFor(e, chosen);
        return m.length ? <MethodTags methods={m} /> : <Typography.Text type="danger">{t('cart.noMethods')}</Typography.Text>;
      },
    },
    {
      title: t('cart.check'),
      key: 'problems',
      width: 220,
      render: (_, e) =>
        problems[e.catalogId] ? (
          <div data-testid={`cart-problem-${e.catalogId}`}>
            {problems[e.catalogId]!.map((p) => (
              <Typography.Text type="danger" key={p} style={{ display: 'block' }}>
                {p}
              </Typography.Text>
            ))}
          </div>
        ) : (
          '—'
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, e) => (
        <Button type="link" danger size="small" icon={<DeleteOutlined />} onClick={() => removeFromCart(userId, [e.catalogId])} data-testid={`cart-remove-${e.catalogId}`}>
          {t('cart.remove')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="page-sharing-cart">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.sharingCart')}
      </Typography.Title>
      {entries.length === 0 ? (
        <Card>
          <Empty description={t('cart.empty')} data-testid="cart-empty">
            <Button type="primary" onClick={() => navigate('/catalog')}>
              {t('cart.browse')}
            </Button>
          </Empty>
        </Card>
      ) : (
        <>
          <Card
            style={{ marginBottom: 16 }}
            title={t('cart.entries', { n: entries.length })}
            extra={
              <Popconfirm title={t('cart.clearConfirm')} okText={t('cart.clear')} cancelText={t('common.cancel')} onConfirm={() => writeCart(userId, [])}>
                <Button size="small" danger data-testid="cart-clear">
                  {t('cart.clear')}
                </Button>
              </Popconfirm>
            }
          >
            <Table<CartEntry>
              rowKey="catalogId"
              size="small"
              pagination={false}
              columns={columns}
              dataSource={entries}
              onRow={(e) => ({ ...rowTestId(`cart-row-${e.catalogId}`), style: problems[e.catalogId] ? { background: '#fff1f0' } : undefined })}
              scroll={{ x: 1000 }}
            />
          </Card>
          <Card title={t('cart.common')}>
            <Typography.Paragraph type="secondary">{t('cart.commonHelp')}</Typography.Paragraph>
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="cart-error" />}
            <Form form={form} layout="vertical" initialValues={initial}>
              <CommonFields methods={offered} testPrefix="cart" />
            </Form>
            <Space>
              <Button type="primary" icon={<SendOutlined />} loading={busy} onClick={() => void submit().catch(() => undefined)} data-testid="cart-submit">
                {t('cart.submit', { n: entries.length })}
              </Button>
            </Space>
          </Card>
        </>
      )}
    </div>
  );
}
