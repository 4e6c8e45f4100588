import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Checkbox, Form, Radio, Select, Tag, Tooltip } from 'antd';
import { DownloadOutlined, ExportOutlined } from '@ant-design/icons';
import {
  grantApi,
  type ExportInput,
  type ExportLink,
  type ExportQuery,
  type ExportStatus,
  type Grant,
  type Page,
  type ShareExport,
} from '../../api';
import { http } from '../../api/client';
import { useAuth } from '../../auth/AuthContext';
import { useI18n, type MessageKey } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { FormDialog } from './ApplicationDialogs';

const seg = encodeURIComponent;

/** Exports (文件共享): the server's sharing/exports routes. */
export const exportApi = {
  create: (body: ExportInput) => http.post<ShareExport>('/exports', body),
  list: (q: ExportQuery = {}) => http.get<Page<ShareExport>>('/exports', { ...q }),
  get: (id: string) => http.get<ShareExport>(`/exports/${seg(id)}`),
  /** A one-time link (a path under /api/v1 that needs no token: the link is the credential). */
  link: (id: string) => http.post<ExportLink>(`/exports/${seg(id)}/link`, {}),
};

const COLOURS: Record<ExportStatus, string> = { queued: 'default', running: 'processing', ready: 'success', failed: 'error', expired: 'warning' };

export function ExportStatusTag({ exp, testId }: { exp: ShareExport; testId?: string }) {
  const { t, lang } = useI18n();
  const key = `export.status.${exp.status}` as MessageKey;
  const text = t(key) === key ? exp.status : t(key);
  const tag = (
    <Tag color={COLOURS[exp.status] ?? 'default'} data-testid={testId} data-status={exp.status}>
      {text}
    </Tag>
  );
  if (!exp.error || exp.status !== 'failed') return tag;
  const why = `${lang === 'zh' ? exp.error.messageZh : exp.error.message} (${exp.error.code}${exp.error.stage ? ` · ${exp.error.stage}` : ''})`;
  return <Tooltip title={why}>{tag}</Tooltip>;
}

/** Grants of the caller's organisation that allow exports: active, with the file method. */
export function fileGrants(grants: readonly Grant[]): Grant[] {
  return grants.filter((g) => g.status === 'active' && g.methods.includes('file'));
}

interface NewExportValues {
  grantId: string;
  format: 'csv' | 'xlsx';
  fields: string[];
}

/**
 * The grant of the export dialog. Choosing another grant clears the ticked items: they were the
 * previous grant's, and would otherwise be sent (unseen) with the new one.
 */
function GrantSelect({
  value,
  onChange,
  onChosen,
  ...rest
}: {
  value?: string;
  onChange?: (v: string) => void;
  onChosen: (v: string) => void;
  loading: boolean;
  placeholder: string;
  options: Array<{ value: string; label: string }>;
}) {
  const form = Form.useFormInstance<NewExportValues>();
  return (
    <Select
      {...rest}
      value={value}
      onChange={(v: string) => {
        if (v !== value) form.setFieldValue('fields', []);
        onChange?.(v);
        onChosen(v);
      }}
      data-testid="export-grant"
    />
  );
}

/** Asks for an export of a grant's data: the grant (preselected from a grant page), the format, the items. */
export function NewExportDialog({ grantId, onClose, onDone }: { grantId?: string | undefined; onClose: () => void; onDone: (e: ShareExport) => void }) {
  const { t } = useI18n();
  const { data, loading } = useAsync(() => grantApi.list({ as: 'consumer', status: 'active', pageSize: 200 }).then((p) => fileGrants(p.items)), []);
  const [chosen, setChosen] = useState<string | undefined>(grantId);
  const grant = data?.find((g) => g.id === chosen);
  return (
    <FormDialog<NewExportValues>
      title={t('export.newTitle')}
      okText={t('export.submit')}
      okTestId="export-submit"
      width={640}
      initialValues={{ format: 'xlsx', ...(grantId ? { grantId } : {}), fields: [] }}
      onClose={onClose}
      onSubmit={async (v) => onDone(await exportApi.create({ grantId: v.grantId, format: v.format, ...(v.fields.length > 0 ? { fields: v.fields } : {}) }))}
    >
      <Alert type="info" showIcon title={t('export.dialogHelp')} style={{ marginBottom: 16 }} />
      {!loading && data?.length === 0 && <Alert type="warning" showIcon title={t('export.noFileGrant')} style={{ marginBottom: 16 }} data-testid="export-no-grant" />}
      <Form.Item name="grantId" label={t('export.grant')} rules={[{ required: true, message: t('export.grantRequired') }]}>
        <GrantSelect
          loading={loading}
          placeholder={t('export.grantPlaceholder')}
          onChosen={setChosen}
          options={(data ?? []).map((g) => ({ value: g.id, label: `${g.catalog.name}（${g.providerName}）` }))}
        />
      </Form.Item>
      <Form.Item name="format" label={t('export.format')}>
        <Radio.Group
          options={[
            { value: 'xlsx', label: 'Excel (xlsx)' },
            { value: 'csv', label: 'CSV (UTF-8)' },
          ]}
          data-testid="export-format"
        />
      </Form.Item>
      {grant && (
        <Form.Item name="fields" label={t('export.fields')} extra={t('export.fieldsHint')}>
          <Checkbox.Group options={grant.items.map((c) => ({ value: c, label: <span data-testid={`export-field-${c}`} className="mono">{c}</span> }))} />
        </Form.Item>
      )}
    </FormDialog>
  );
}

/**
 * Download: asks for a one-time link and follows it (the link needs no token, so a plain anchor
 * works). Only the person who asked for the export may; for others the button says why not.
 */
export function ExportDownloadButton({ exp, onDone }: { exp: ShareExport; onDone?: () => void }) {
  const { t } = useI18n();
  const { ok, fail } = useFeedback();
  const [busy, setBusy] = useState(false);
  if (exp.status !== 'ready') return null;
  if (!exp.mine) {
    return (
      <Tooltip title={t('export.onlyRequester')}>
        <Button size="small" icon={<DownloadOutlined />} disabled>
          {t('export.download')}
        </Button>
      </Tooltip>
    );
  }
  const go = async () => {
    setBusy(true);
    try {
      const { url } = await exportApi.link(exp.id);
      const a = document.createElement('a');
      a.href = url;
      a.download = exp.fileName ?? `${exp.id}.${exp.format}`;
      a.rel = 'noreferrer';
      document.body.appendChild(a);
      a.click();
      a.remove();
      ok(t('export.downloading'));
      onDone?.();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" type="primary" icon={<DownloadOutlined />} loading={busy} onClick={() => void go()} data-testid={`export-download-${exp.id}`}>
      {t('export.download')}
    </Button>
  );
}

/** For a grant page: "export data" for the consumer organisation's consumers of a grant with the file method. */
export function ExportGrantButton({ grant }: { grant: Grant }) {
  const { t } = useI18n();
  const { hasRole, user } = useAuth();
  const navigate = useNavigate();
  if (grant.status !== 'active' || !grant.methods.includes('file') || !hasRole('consumer') || user?.organisationId !== grant.consumerId) return null;
  return (
    <Button icon={<ExportOutlined />} onClick={() => navigate(`/sharing/exports?grantId=${encodeURIComponent(grant.id)}`)} data-testid="grant-export">
      {t('export.fromGrant')}
    </Button>
  );
}
