import { Alert, Button } from 'antd';
import { useI18n } from '../i18n';
import { useErrorText } from '../hooks/useFeedback';

/** Inline, not a toast: a failed list load should stay visible next to the empty table. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      title={errorText(error)}
      style={{ marginBottom: 16 }}
      action={onRetry && <Button size="small" onClick={onRetry}>{t('common.retry')}</Button>}
      data-testid="load-error"
    />
  );
}
