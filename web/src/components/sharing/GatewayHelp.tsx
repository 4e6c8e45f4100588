import { Link } from 'react-router-dom';
import { Alert, Descriptions, Typography } from 'antd';
import type { Grant } from '../../api';
import { useI18n } from '../../i18n';
import { curlExample, curlFeedExample, curlQueryExample } from '../../lib/sharing';

/**
 * How the consumer's systems reach the granted data: the signed gateway routes for this catalog
 * code, with a curl-like example; credentials come from 应用凭证 (/apps).
 */
export function GatewayHelp({ grant, keyColumns }: { grant: Grant; keyColumns: readonly string[] }) {
  const { t } = useI18n();
  const origin = window.location.origin;
  const code = grant.catalog.code;
  // Filtering on a masked item is refused by the gateway: the example filters on an unmasked one.
  const plain = grant.items.find((c) => (grant.masking[c] ?? 'none') === 'none');
  return (
    <div data-testid="gateway-help">
      {!grant.methods.includes('api') && <Alert type="info" showIcon title={t('gateway.noApi')} style={{ marginBottom: 16 }} />}
      <Descriptions
        bordered
        size="small"
        column={1}
        items={[
          { key: 'code', label: t('gateway.code'), children: <Typography.Text className="mono" copyable data-testid="gateway-code">{code}</Typography.Text> },
          { key: 'records', label: t('gateway.records'), children: <span className="mono">GET /api/v1/share/{code}/records?key=…</span> },
          { key: 'query', label: t('gateway.query'), children: <span className="mono">POST /api/v1/share/{code}/query {'{ filters, fields?, after?, limit? }'}</span> },
          { key: 'invoke', label: t('gateway.invoke'), children: <span className="mono">POST /api/v1/share/{code}/invoke {'{ path?, query?, body? }'}</span> },
          ...(grant.methods.includes('table')
            ? [{ key: 'feed', label: t('gateway.feed'), children: <span className="mono">GET /api/v1/feeds/{code}/changes?after=&amp;limit=&amp;wait=</span> }]
            : []),
        ]}
      />
      <Typography.Paragraph style={{ marginTop: 12 }}>
        {t('gateway.signing')} <Link to="/apps">{t('gateway.credentials')}</Link>
      </Typography.Paragraph>
      <pre className="mono" data-testid="gateway-curl">{curlExample(origin, code, keyColumns)}</pre>
      <pre className="mono" style={{ marginTop: 8 }}>{curlQueryExample(origin, code, plain)}</pre>
      {grant.methods.includes('table') && (
        <>
          <pre className="mono" style={{ marginTop: 8 }} data-testid="gateway-feed-curl">{curlFeedExample(origin, code)}</pre>
          <Typography.Paragraph type="secondary">{t('gateway.feedRules')}</Typography.Paragraph>
        </>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        {t('gateway.rules')}
      </Typography.Paragraph>
    </div>
  );
}
