import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { zh, type MessageKey } from './zh';
import { en } from './en';

export type { MessageKey } from './zh';
export type Lang = 'zh' | 'en';

const LANG_KEY = 'tianshu.lang';
const dictionaries = { zh, en } as const;

export type Params = Record<string, string | number>;

/** `{name}` placeholders; an unknown placeholder is left visible so the gap is noticed. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in params ? String(params[key]) : m));
}

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  // Keys built from server data (`role.${r}`) are type-checked against today's values; should
  // the server send a new one, show the key rather than nothing.
  return format(dictionaries[lang][key] ?? key, params);
}

function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  // zh-CN is the default for a Chinese government portal regardless of the browser's language.
  return stored === 'en' ? 'en' : 'zh';
}

function applyLang(lang: Lang): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  document.title = translate(lang, 'app.title');
}

export type TFunction = (key: MessageKey, params?: Params) => string;

interface I18nValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: TFunction;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const l = initialLang();
    applyLang(l); // before first render, so dayjs-based widgets start in the right locale
    return l;
  });

  useEffect(() => applyLang(lang), [lang]);

  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(LANG_KEY, l);
    applyLang(l);
    setLangState(l);
  }, []);

  const value = useMemo<I18nValue>(
    () => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
