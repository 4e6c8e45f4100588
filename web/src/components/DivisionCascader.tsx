import { useEffect, useState } from 'react';
import { Cascader } from 'antd';
import { divisionApi, type Division } from '../api';
import { useI18n } from '../i18n';

interface DivisionOption {
  value: string;
  label: string;
  isLeaf: boolean;
  level: string;
  children?: DivisionOption[];
}

const toOption = (d: Division): DivisionOption => ({ value: d.code, label: d.name, isLeaf: !d.hasChildren, level: d.level });

/**
 * GB/T 2260 ancestors of a 6-digit code: province (xx0000), prefecture (xxxx00), itself.
 * Used to re-open the cascader on an existing organisation's division.
 */
export function divisionAncestors(code: string): string[] {
  if (!/^\d{6}$/.test(code)) return [code];
  const chain = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code];
  return chain.filter((c, i) => chain.indexOf(c) === i);
}

export interface DivisionCascaderProps {
  value?: string;
  onChange?: (code: string | undefined) => void;
  /** The picked division's level (province/city/county), so a form can suggest the organisation's. */
  onPickLevel?: (level: string) => void;
  'data-testid'?: string;
}

/** Division picker fed lazily by GET /divisions?parent=, one level per click. */
export function DivisionCascader({ value, onChange, onPickLevel, ...rest }: DivisionCascaderProps) {
  const { t } = useI18n();
  const [options, setOptions] = useState<DivisionOption[]>([]);
  const [path, setPath] = useState<string[]>([]);

  // Initial load, and — when editing — walking down the tree to the current value so the
  // cascader shows the full path rather than an opaque code.
  useEffect(() => {
    let live = true;
    (async () => {
      const roots = (await divisionApi.children()).items.map(toOption);
      const found: string[] = [];
      if (value) {
        let level = roots;
        for (const code of divisionAncestors(value)) {
          const hit: DivisionOption | undefined = level.find((o) => o.value === code) ?? level.find((o) => o.value === value);
          if (!hit) break;
          found.push(hit.value);
          if (hit.value === value || hit.isLeaf) break;
          hit.children = (await divisionApi.children(hit.value)).items.map(toOption);
          level = hit.children;
        }
      }
      if (!live) return;
      setOptions(roots);
      setPath(found.at(-1) === value ? found : []);
    })().catch(() => {
      // Leave the cascader empty; the form still shows the current division name beside it.
    });
    return () => {
      live = false;
    };
    // Walk only once per mounted value; later changes come from the cascader itself.
  }, []);

  const loadData = async (selected: DivisionOption[]) => {
    const target = selected[selected.length - 1];
    if (!target || target.children) return;
    const children = (await divisionApi.children(target.value)).items.map(toOption);
    target.children = children;
    if (children.length === 0) target.isLeaf = true;
    setOptions((o) => [...o]);
  };

  return (
    <Cascader<DivisionOption>
      options={options}
      loadData={(sel) => void loadData(sel)}
      value={path}
      changeOnSelect
      showSearch={false}
      placeholder={t('org.divisionPlaceholder')}
      onChange={(v, selected) => {
        const codes = (v ?? []).map(String);
        setPath(codes);
        onChange?.(codes.at(-1));
        const picked = selected?.at(-1);
        if (picked) onPickLevel?.(picked.level);
      }}
      style={{ width: '100%' }}
      data-testid={rest['data-testid']}
    />
  );
}
