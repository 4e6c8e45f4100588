import { App } from 'antd';
import { useCallback } from 'react';
import { ApiError } from '../api';
import { useI18n } from '../i18n';

/** Turns anything thrown into text in the current language (API errors carry both). */
export function useErrorText(): (err: unknown) => string {
  const { lang, t } = useI18n();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError) return err.localized(lang);
      if (err instanceof Error && err.message) return `${t('error.unexpected')}: ${err.message}`;
      return t('error.unexpected');
    },
    [lang, t],
  );
}

/** Toast helpers bound to antd's App context so they pick up the theme and locale. */
export function useFeedback() {
  const { message } = App.useApp();
  const errorText = useErrorText();
  const ok = useCallback((text: string) => void message.success(text), [message]);
  const fail = useCallback((err: unknown) => void message.error(errorText(err)), [message, errorText]);
  return { ok, fail, errorText };
}
