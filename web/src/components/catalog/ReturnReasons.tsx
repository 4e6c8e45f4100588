import { Alert } from 'antd';
import type { InfoItem, ReturnReason } from '../../api';
import { useI18n } from '../../i18n';
import { fieldLabel } from './CatalogBits';

/** The reviewer's reasons, each under the field it concerns. Prominent: the editor's next step. */
export function ReturnReasons({ reasons, items, title, testId = 'entry-return-reasons' }: { reasons: readonly ReturnReason[]; items: readonly InfoItem[]; title: string; testId?: string }) {
  const { t } = useI18n();
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={title}
      data-testid={testId}
      description={
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {reasons.map((r, i) => (
            <li key={i} data-testid={`return-reason-${i}`}>
              <strong>{r.field ? fieldLabel(t, r.field, items) : t('detail.general')}</strong>：{r.message}
            </li>
          ))}
        </ul>
      }
    />
  );
}

