import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Space } from 'antd';
import { SendOutlined, ShoppingCartOutlined } from '@ant-design/icons';
import { ApiError, grantApi, sharingApi, type CatalogEntry } from '../../api';
import { useAuth, useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { useCart } from '../../hooks/useCart';
import { addToCart, shareableItems, type CartEntry } from '../../lib/cart';
import { ApplyDialog, type ApplyTarget } from './ApplicationForm';

const OPEN = ['pending', 'countersigning'];

/** The organisation's open application or active grant for this entry, if any (null on an older server). */
async function existing(entry: CatalogEntry) {
  try {
    const [apps, grants] = await Promise.all([
      sharingApi.list({ scope: 'mine', catalogId: entry.id, pageSize: 20 }),
      grantApi.list({ as: 'consumer', catalogCode: entry.code, status: 'active', pageSize: 1 }),
    ]);
    return { open: apps.items.find((a) => OPEN.includes(a.status)) ?? null, grant: grants.items[0] ?? null };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

function targetOf(entry: CatalogEntry): ApplyTarget & { code: string } {
  return {
    catalogId: entry.id,
    code: entry.code,
    name: entry.name,
    providerName: entry.provider.name,
    shareType: entry.shareType === 'unconditional' ? 'unconditional' : 'conditional',
    shareMethods: entry.shareMethods,
    items: entry.items.map((i) => ({ column: i.column, name: i.name, shareType: i.shareType, piiKind: i.piiKind })),
  };
}

/**
 * On an entry's page, for a consumer of another organisation: apply (申请共享) or add to the cart
 * (加入申请单); the non-share basis instead for 不予共享; what the organisation already has otherwise.
 */
export function EntrySharing({ entry }: { entry: CatalogEntry }) {
  const { hasRole } = useAuth();
  const user = useCurrentUser();
  const eligible = hasRole('consumer') && entry.provider.id !== user.organisationId && entry.publishedVersion !== null && entry.status !== 'retired';
  if (!eligible) return null;
  if (entry.shareType === 'none') {
    return <NotShared basis={entry.nonShareBasis} />;
  }
  return <Apply entry={entry} />;
}

function NotShared({ basis }: { basis: string | null }) {
  const { t } = useI18n();
  return <Alert type="warning" showIcon title={t('apply.notShared')} description={basis || '—'} style={{ marginBottom: 16 }} data-testid="entry-not-shared" />;
}

function Apply({ entry }: { entry: CatalogEntry }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { ok, fail } = useFeedback();
  const { userId, entries } = useCart();
  const [applying, setApplying] = useState(false);
  const { data, error, reload } = useAsync(() => existing(entry), [entry.id, entry.code]);
  const target = targetOf(entry);
  const inCart = entries.some((e) => e.catalogId === entry.id);

  const addCart = () => {
    const line: CartEntry = { ...target, selected: shareableItems(target.items).map((i) => i.column), addedAt: new Date().toISOString() };
    if (addToCart(userId, line)) ok(t('cart.added', { name: entry.name }));
    else fail(new Error(t('cart.full')));
  };

  if (data?.grant) {
    return (
      <Alert
        type="success"
        showIcon
        title={t('apply.hasGrant')}
        style={{ marginBottom: 16 }}
        data-testid="entry-has-grant"
        action={<Button size="small" onClick={() => navigate(`/sharing/grants/${data.grant!.id}`)}>{t('apply.viewGrant')}</Button>}
      />
    );
  }
  if (data?.open) {
    return (
      <Alert
        type="info"
        showIcon
        title={t('apply.hasOpen', { due: data.open.dueDate ?? '—' })}
        style={{ marginBottom: 16 }}
        data-testid="entry-has-application"
        action={<Button size="small" onClick={() => navigate(`/sharing/applications/${data.open!.id}`)}>{t('apply.viewApplication')}</Button>}
      />
    );
  }
  return (
    <>
      <Alert
        type="info"
        showIcon
        title={entry.shareType === 'unconditional' ? t('apply.bannerUnconditional') : t('apply.bannerConditional', { provider: entry.provider.name })}
        description={error ? t('apply.existingUnknown') : entry.shareType === 'conditional' ? entry.shareCondition : undefined}
        style={{ marginBottom: 16 }}
        data-testid="entry-apply-banner"
        action={
          <Space orientation="vertical">
            <Button type="primary" icon={<SendOutlined />} onClick={() => setApplying(true)} data-testid="entry-apply">
              {t('apply.button')}
            </Button>
            <Button icon={<ShoppingCartOutlined />} onClick={addCart} disabled={inCart} data-testid="entry-add-cart">
              {inCart ? t('cart.inCart') : t('cart.add')}
            </Button>
          </Space>
        }
      />
      {applying && (
        <ApplyDialog
          target={target}
          onClose={() => setApplying(false)}
          onDone={(a) => {
            setApplying(false);
            ok(a.status === 'granted' ? t('apply.grantedAtOnce') : t('apply.submitted'));
            reload();
            navigate(`/sharing/applications/${a.id}`);
          }}
        />
      )}
    </>
  );
}
