import type { ReactNode } from 'react';
import { Button, Form, Input, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n';

export interface Pair {
  key?: string;
  value?: string;
}

/** Rows of a Form.List as an object; rows with an empty key are dropped, keys trimmed. */
export function pairsToRecord(pairs: readonly Pair[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const k = (p?.key ?? '').trim();
    if (k) out[k] = (p.value ?? '').trim();
  }
  return out;
}

export function recordToPairs(record: Record<string, unknown> | null | undefined): Pair[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}

/**
 * Editable name/value rows inside an antd Form (HTTP headers, query parameters, column mappings).
 * `valueInput` replaces the value's text box (e.g. a Select of the resource's columns).
 */
export function KeyValueList({
  name,
  keyPlaceholder,
  valuePlaceholder,
  addLabel,
  testId,
  valueInput,
}: {
  name: string;
  keyPlaceholder: string;
  valuePlaceholder: string;
  addLabel: string;
  testId: string;
  valueInput?: (index: number) => ReactNode;
}) {
  const { t } = useI18n();
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <div data-testid={testId}>
          {fields.map((field, i) => (
            <Space key={field.key} align="baseline" style={{ display: 'flex', marginBottom: 4 }}>
              <Form.Item name={[field.name, 'key']} style={{ marginBottom: 0 }}>
                <Input placeholder={keyPlaceholder} style={{ width: 200 }} data-testid={`${testId}-key-${i}`} />
              </Form.Item>
              <Form.Item name={[field.name, 'value']} style={{ marginBottom: 0 }}>
                {valueInput ? valueInput(i) : <Input placeholder={valuePlaceholder} style={{ width: 260 }} data-testid={`${testId}-value-${i}`} />}
              </Form.Item>
              <MinusCircleOutlined onClick={() => remove(field.name)} aria-label={t('common.delete')} data-testid={`${testId}-remove-${i}`} />
            </Space>
          ))}
          <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ key: '', value: '' })} data-testid={`${testId}-add`}>
            {addLabel}
          </Button>
        </div>
      )}
    </Form.List>
  );
}
