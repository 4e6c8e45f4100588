import { useEffect, useMemo, useRef, useState } from 'react';
import { Select, Spin } from 'antd';
import { organisationApi, type Organisation } from '../api';
import { useI18n } from '../i18n';

interface Option {
  value: string;
  label: string;
}

export interface OrgSelectProps {
  value?: string | null;
  onChange?: (id: string | null) => void;
  /** Name of the current value, so it displays before any search has run. */
  initialLabel?: string | null;
  /** An organisation cannot be its own parent. */
  excludeId?: string;
  allowClear?: boolean;
  placeholder?: string;
  style?: React.CSSProperties;
  'data-testid'?: string;
}

/**
 * Searches organisations on the server as the user types: the list can hold thousands of
 * departments, so loading all of them into a dropdown is not an option.
 */
export function OrgSelect({ value, onChange, initialLabel, excludeId, allowClear, placeholder, style, ...rest }: OrgSelectProps) {
  const { t } = useI18n();
  const [options, setOptions] = useState<Option[]>([]);
  const [loading, setLoading] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);

  const search = (q: string) => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const mine = ++seq.current;
      setLoading(true);
      organisationApi
        .list({ q, pageSize: 20 })
        .then((p) => {
          if (mine !== seq.current) return; // a newer search superseded this one
          setOptions(p.items.filter((o: Organisation) => o.id !== excludeId).map((o) => ({ value: o.id, label: o.name })));
        })
        .catch(() => setOptions([]))
        .finally(() => mine === seq.current && setLoading(false));
    }, 250);
  };

  useEffect(() => {
    search('');
    return () => window.clearTimeout(timer.current);
    // Only the first list is loaded here; later ones follow the user's typing.
  }, []);

  const merged = useMemo(() => {
    if (value && initialLabel && !options.some((o) => o.value === value)) {
      return [{ value, label: initialLabel }, ...options];
    }
    return options;
  }, [options, value, initialLabel]);

  return (
    <Select<string>
      showSearch={{ filterOption: false, onSearch: search }}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      onClear={() => onChange?.(null)}
      options={merged}
      allowClear={allowClear}
      placeholder={placeholder ?? t('org.searchPlaceholder')}
      notFoundContent={loading ? <Spin size="small" /> : t('common.noData')}
      style={style}
      optionRender={(o) => <span data-testid={`org-option-${String(o.value)}`}>{o.label}</span>}
      data-testid={rest['data-testid']}
    />
  );
}
