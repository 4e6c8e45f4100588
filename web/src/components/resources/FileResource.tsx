import { useState } from 'react';
import { Alert, Button, Card, Input, Space, Table, Typography, Upload, type TableColumnsType } from 'antd';
import { CloudUploadOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, resourceApi, type FileVersion, type Resource } from '../../api';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../LoadError';
import { saveDownload } from '../../lib/download';
import { formatBytes, formatTime, shortHash } from '../../lib/format';
import { rowTestId } from '../../lib/testid';

/**
 * Who uploaded a version. The server sends the user's id: the signed-in user is named, anyone else
 * shown by a short id (the full one on hover); an object with a name is shown as such.
 */
function Uploader({ value, me }: { value: FileVersion['uploadedBy']; me: { id: string; displayName: string } }) {
  if (!value) return <>—</>;
  if (typeof value !== 'string') return <>{value.displayName ?? value.name ?? value.username ?? value.id ?? '—'}</>;
  if (value === me.id) return <span title={value}>{me.displayName}</span>;
  return (
    <span className="mono" title={value}>
      {value.length > 12 ? `${value.slice(0, 8)}…` : value}
    </span>
  );
}

function UploadVersion({ resource, onUploaded }: { resource: Resource; onUploaded: (v: FileVersion) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [file, setFile] = useState<File | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const upload = async () => {
    if (!file) {
      setError(t('file.noFile'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const v = await resourceApi.uploadFile(resource.id, file, { name: file.name, ...(note.trim() ? { note: note.trim() } : {}) });
      setFile(null);
      setNote('');
      onUploaded(v);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t('file.uploadTitle')} style={{ marginBottom: 16 }} data-testid="file-upload">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Upload.Dragger
          maxCount={1}
          multiple={false}
          disabled={busy}
          // The bytes go as the raw request body (streamed into the database by the node), not multipart.
          beforeUpload={(f) => {
            setFile(f);
            setError(null);
            return false;
          }}
          onRemove={() => setFile(null)}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done', size: file.size }] : []}
          data-testid="file-upload-file"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('file.choose')}</p>
          <p style={{ color: 'rgba(0,0,0,0.45)' }}>{t('file.hint')}</p>
        </Upload.Dragger>
        <Input placeholder={t('file.note')} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} disabled={busy} data-testid="file-upload-note" />
        <Button type="primary" icon={<CloudUploadOutlined />} loading={busy} disabled={!file} onClick={() => void upload()} data-testid="file-upload-submit">
          {busy ? t('file.uploading') : t('file.upload')}
        </Button>
        {error && <Alert type="error" showIcon title={error} data-testid="file-upload-error" />}
      </Space>
    </Card>
  );
}

/** A file resource's versions (newest first) with SM3, size, uploader and download; the provider uploads new ones. */
export function FileVersionsPanel({ resource, canUpload, onChanged }: { resource: Resource; canUpload: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { ok, fail } = useFeedback();
  const me = useCurrentUser();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [tick, setTick] = useState(0);
  const [downloading, setDownloading] = useState<number | null>(null);
  const { data, error, loading, reload } = useAsync(() => resourceApi.files(resource.id, { page, pageSize }), [resource.id, page, pageSize, tick]);

  const download = async (v: FileVersion) => {
    setDownloading(v.version);
    try {
      saveDownload(await resourceApi.downloadFile(resource.id, v.version), v.fileName);
    } catch (e) {
      fail(e);
    } finally {
      setDownloading(null);
    }
  };

  const columns: TableColumnsType<FileVersion> = [
    { title: t('file.version'), dataIndex: 'version', width: 80, render: (v: number) => <strong>v{v}</strong> },
    { title: t('file.name'), dataIndex: 'fileName', ellipsis: true, render: (v: string, r) => <span data-testid={`file-name-${r.version}`}>{v}</span> },
    { title: t('file.mediaType'), dataIndex: 'mediaType', width: 200, ellipsis: true, render: (v: string) => <span className="mono">{v}</span> },
    { title: t('file.size'), dataIndex: 'size', width: 110, align: 'right', render: (v: number, r) => <span title={`${v} B`} data-testid={`file-size-${r.version}`}>{formatBytes(v)}</span> },
    {
      title: 'SM3',
      dataIndex: 'sm3',
      width: 170,
      render: (v: string, r) => (
        <Typography.Text className="mono" copyable={{ text: v }} title={v} data-testid={`file-sm3-${r.version}`} data-sm3={v}>
          {shortHash(v, 6)}
        </Typography.Text>
      ),
    },
    { title: t('file.note'), dataIndex: 'note', ellipsis: true, render: (v: string | null) => v || '—' },
    { title: t('file.uploadedBy'), dataIndex: 'uploadedBy', width: 130, render: (v: FileVersion['uploadedBy']) => <Uploader value={v} me={me} /> },
    { title: t('file.uploadedAt'), dataIndex: 'uploadedAt', width: 170, render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      fixed: 'right',
      render: (_, r) => (
        <Button size="small" icon={<DownloadOutlined />} loading={downloading === r.version} onClick={() => void download(r)} data-testid={`file-download-${r.version}`}>
          {t('file.download')}
        </Button>
      ),
    },
  ];

  if (error instanceof ApiError && error.status === 403) {
    return <Alert type="info" showIcon title={t('file.forbidden')} data-testid="file-versions-forbidden" />;
  }
  return (
    <div data-testid="file-versions-panel">
      {canUpload && (
        <UploadVersion
          resource={resource}
          onUploaded={(v) => {
            ok(t('file.uploaded', { version: v.version, sm3: shortHash(v.sm3, 6) }));
            setPage(1);
            setTick((x) => x + 1);
            onChanged();
          }}
        />
      )}
      <LoadError error={error} onRetry={reload} />
      <Table<FileVersion>
        rowKey="version"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('file.none') }}
        scroll={{ x: 1200 }}
        onRow={(r) => rowTestId(`file-row-${r.version}`)}
        data-testid="file-versions"
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
      />
    </div>
  );
}
