import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Col, Row, Space, Statistic, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { catalogApi, type ImportError, type ImportResult } from '../../api';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { saveDownload } from '../../lib/download';
import { rowTestId } from '../../lib/testid';

export default function CatalogImportPage() {
  const { t, lang } = useI18n();
  const { fail, errorText } = useFeedback();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [result, setResult] = useState<{ result: ImportResult; dryRun: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const template = async () => {
    setDownloading(true);
    try {
      saveDownload(await catalogApi.template(), 'catalog-template.xlsx');
    } catch (e) {
      fail(e);
    } finally {
      setDownloading(false);
    }
  };

  const run = async () => {
    if (!file) {
      setError(t('import.noFile'));
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult({ result: await catalogApi.importXlsx(file, dryRun), dryRun });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const errors = result?.result.errors ?? [];
  const message = (e: ImportError) => (lang === 'en' && e.messageEn ? e.messageEn : e.message);

  return (
    <div data-testid="page-catalog-import">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.catalogImport')}
      </Typography.Title>
      <Card style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary">{t('import.intro')}</Typography.Paragraph>
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Button icon={<DownloadOutlined />} loading={downloading} onClick={() => void template()} data-testid="import-template">
            {t('import.template')}
          </Button>
          <Upload.Dragger
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            maxCount={1}
            multiple={false}
            // The file goes as the raw request body on "Import", not through antd's multipart upload.
            beforeUpload={(f) => {
              setFile(f);
              setResult(null);
              return false;
            }}
            onRemove={() => {
              setFile(null);
              setResult(null);
            }}
            fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
            data-testid="import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p>{t('import.choose')}</p>
            <p style={{ color: 'rgba(0,0,0,0.45)' }}>{t('import.fileHint')}</p>
          </Upload.Dragger>
          <Space>
            <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} data-testid="import-dryRun">
              {t('import.dryRun')}
            </Checkbox>
            <Button type="primary" icon={<UploadOutlined />} loading={busy} onClick={() => void run()} data-testid="import-run">
              {busy ? t('import.running') : t('import.run')}
            </Button>
          </Space>
          {error && <Alert type="error" showIcon title={error} data-testid="import-error" />}
        </Space>
      </Card>
      {result && (
        <Card title={t('import.result')} data-testid="import-result">
          {errors.length > 0 ? (
            <Alert type="error" showIcon title={t('import.failed', { n: errors.length })} style={{ marginBottom: 16 }} data-testid="import-failed" />
          ) : (
            <Alert type="success" showIcon title={result.dryRun ? t('import.dryRunOk') : t('import.ok')} style={{ marginBottom: 16 }} data-testid="import-ok" />
          )}
          <Row gutter={16} style={{ marginBottom: 16 }}>
            <Col xs={6}>
              <Statistic title={t('import.created')} value={result.result.created} data-testid="import-created" />
            </Col>
            <Col xs={6}>
              <Statistic title={t('import.updated')} value={result.result.updated} data-testid="import-updated" />
            </Col>
            <Col xs={6}>
              <Statistic title={t('import.unchanged')} value={result.result.unchanged ?? 0} />
            </Col>
            <Col xs={6}>
              <Statistic title={t('import.errors')} value={errors.length} styles={errors.length ? { content: { color: '#cf1322' } } : undefined} />
            </Col>
          </Row>
          {errors.length > 0 && (
            <Table<ImportError>
              rowKey={(e) => `${e.sheet}:${e.row}:${e.column}:${e.code ?? ''}:${e.message}`}
              size="small"
              dataSource={errors}
              pagination={errors.length > 50 ? { pageSize: 50 } : false}
              onRow={(e) => rowTestId(`import-error-${e.sheet}-${e.row}`)}
              data-testid="import-errors"
              columns={[
                { title: t('import.sheet'), dataIndex: 'sheet', width: 110 },
                { title: t('import.row'), dataIndex: 'row', width: 80 },
                { title: t('import.column'), dataIndex: 'column', width: 160 },
                { title: t('import.message'), key: 'message', render: (_, e) => message(e) },
              ]}
            />
          )}
        </Card>
      )}
    </div>
  );
}
