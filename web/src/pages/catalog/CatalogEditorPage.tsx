import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Table,
  Tooltip,
  Typography,
  type FormInstance,
  type TableColumnsType,
} from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import {
  ApiError,
  CATALOG_FORMATS,
  DATA_TYPES,
  OPEN_TYPES,
  PII_KINDS,
  RESOURCE_TYPES,
  SECURITY_GRADES,
  SHARE_METHODS,
  SHARE_TYPES,
  UPDATE_CYCLES,
  catalogApi,
  informationSystemApi,
  type CatalogEntry,
  type DataType,
} from '../../api';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { ReturnReasons } from '../../components/catalog/ReturnReasons';
import {
  emptyItem,
  entryProblems,
  entryToFormValues,
  formValuesToInput,
  newEntryValues,
  placeProblems,
  problemPlace,
  type EntryFormValues,
  type NamePath,
  type PlacedProblems,
} from '../../lib/catalog-form';
import { rowTestId } from '../../lib/testid';

/** Types whose length the server refuses; switching to one clears the length. */
const NO_LENGTH: readonly DataType[] = ['integer', 'date', 'datetime', 'boolean'];
const DEFAULT_LENGTH: Partial<Record<DataType, number>> = { string: 50, decimal: 18 };

/**
 * Marks fields by the paths the server names. The typed form only accepts literal paths, and these
 * are computed, so this goes through the form's untyped face.
 */
function markFields(form: FormInstance<EntryFormValues>, marks: { name: NamePath; errors?: string[]; warnings?: string[] }[]): void {
  if (marks.length) (form as unknown as FormInstance).setFields(marks);
}

const NO_PROBLEMS: PlacedProblems = { fields: new Map(), rows: new Map(), items: [], form: [] };

interface ItemsTableProps {
  problems: PlacedProblems;
}

/** The editable info-item table: one Form.List row per item, each cell its own form field. */
function ItemsTable({ problems }: ItemsTableProps) {
  const { t } = useI18n();
  const form = Form.useFormInstance<EntryFormValues>();
  return (
    <Form.List name="items">
      {(fields, { add, remove, move }) => {
        type Row = (typeof fields)[number];
        const cell = (f: Row, name: string, node: React.ReactNode, extra: Partial<React.ComponentProps<typeof Form.Item>> = {}) => (
          <Form.Item name={[f.name, name]} style={{ margin: 0 }} {...extra}>
            {node}
          </Form.Item>
        );
        const columns: TableColumnsType<Row> = [
          {
            title: t('item.index'),
            key: 'index',
            width: 64,
            render: (_, f, i) => (
              <div>
                {i + 1}
                {(problems.rows.get(f.name) ?? []).map((m, k) => (
                  <div key={k} style={{ color: '#cf1322', fontSize: 12 }} data-testid={`item-row-problem-${i}`}>
                    {m}
                  </div>
                ))}
              </div>
            ),
          },
          {
            title: t('item.name'),
            key: 'name',
            width: 200,
            render: (_, f, i) =>
              cell(f, 'name', <Input maxLength={200} data-testid={`item-name-${i}`} />, {
                rules: [{ required: true, whitespace: true, message: t('editor.required', { field: t('item.name') }) }],
              }),
          },
          {
            title: t('item.column'),
            key: 'column',
            width: 170,
            render: (_, f, i) =>
              cell(f, 'column', <Input maxLength={63} className="mono" placeholder="driving_class" data-testid={`item-column-${i}`} />, {
                rules: [{ required: true, whitespace: true, message: t('editor.required', { field: t('item.column') }) }],
              }),
          },
          {
            title: t('item.dataType'),
            key: 'dataType',
            width: 130,
            render: (_, f, i) =>
              cell(
                f,
                'dataType',
                <Select<DataType>
                  options={DATA_TYPES.map((d) => ({ value: d, label: t(`dataType.${d}`) }))}
                  onChange={(d) => form.setFieldValue(['items', f.name, 'length'], NO_LENGTH.includes(d) ? null : (DEFAULT_LENGTH[d] ?? null))}
                  data-testid={`item-dataType-${i}`}
                />,
              ),
          },
          {
            title: t('item.length'),
            key: 'length',
            width: 100,
            render: (_, f, i) => (
              <Form.Item noStyle shouldUpdate={(a, b) => a.items?.[f.name]?.dataType !== b.items?.[f.name]?.dataType}>
                {({ getFieldValue }) =>
                  cell(
                    f,
                    'length',
                    <InputNumber
                      min={1}
                      precision={0}
                      style={{ width: '100%' }}
                      disabled={NO_LENGTH.includes(getFieldValue(['items', f.name, 'dataType']) as DataType)}
                      data-testid={`item-length-${i}`}
                    />,
                  )
                }
              </Form.Item>
            ),
          },
          {
            title: t('item.isKey'),
            key: 'isKey',
            width: 60,
            align: 'center',
            render: (_, f, i) => cell(f, 'isKey', <Checkbox data-testid={`item-isKey-${i}`} />, { valuePropName: 'checked' }),
          },
          {
            title: t('item.piiKind'),
            key: 'piiKind',
            width: 150,
            render: (_, f, i) =>
              cell(
                f,
                'piiKind',
                <Select
                  allowClear
                  placeholder={t('common.none')}
                  options={PII_KINDS.map((k) => ({ value: k, label: t(`pii.${k}`) }))}
                  data-testid={`item-piiKind-${i}`}
                />,
              ),
          },
          {
            title: t('item.shareType'),
            key: 'shareType',
            width: 140,
            render: (_, f, i) =>
              cell(
                f,
                'shareType',
                <Select allowClear placeholder={t('item.inherit')} options={SHARE_TYPES.map((s) => ({ value: s, label: t(`shareType.${s}`) }))} data-testid={`item-shareType-${i}`} />,
              ),
          },
          {
            title: t('item.securityGrade'),
            key: 'securityGrade',
            width: 120,
            render: (_, f, i) =>
              cell(
                f,
                'securityGrade',
                <Select allowClear placeholder={t('item.inherit')} options={SECURITY_GRADES.map((s) => ({ value: s, label: t(`securityGrade.${s}`) }))} data-testid={`item-securityGrade-${i}`} />,
              ),
          },
          {
            title: t('item.dataElement'),
            key: 'dataElement',
            width: 140,
            render: (_, f, i) => cell(f, 'dataElement', <Input maxLength={100} className="mono" placeholder="DE00001" data-testid={`item-dataElement-${i}`} />),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 120,
            fixed: 'right',
            render: (_, f, i) => (
              <Space size={0}>
                <Tooltip title={t('editor.moveUp')}>
                  <Button type="text" size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, i - 1)} data-testid={`item-up-${i}`} />
                </Tooltip>
                <Tooltip title={t('editor.moveDown')}>
                  <Button type="text" size="small" icon={<ArrowDownOutlined />} disabled={i === fields.length - 1} onClick={() => move(i, i + 1)} data-testid={`item-down-${i}`} />
                </Tooltip>
                <Tooltip title={t('editor.removeItem')}>
                  <Button type="text" size="small" danger icon={<DeleteOutlined />} disabled={fields.length === 1} onClick={() => remove(f.name)} data-testid={`item-remove-${i}`} />
                </Tooltip>
              </Space>
            ),
          },
        ];
        return (
          <>
            {problems.items.length > 0 && (
              <Alert type="error" showIcon style={{ marginBottom: 12 }} title={problems.items.join('；')} data-testid="editor-items-problems" />
            )}
            <Table<Row>
              rowKey="key"
              size="small"
              columns={columns}
              dataSource={fields}
              pagination={false}
              scroll={{ x: 1400 }}
              onRow={(_, i) => rowTestId(`item-row-${i ?? 0}`)}
              data-testid="editor-items"
            />
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add(emptyItem())} style={{ marginTop: 12 }} block data-testid="item-add">
              {t('editor.addItem')}
            </Button>
          </>
        );
      }}
    </Form.List>
  );
}

function Editor({ entry }: { entry: CatalogEntry | undefined }) {
  const { t, lang } = useI18n();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { ok, fail, errorText } = useFeedback();
  const [form] = Form.useForm<EntryFormValues>();
  const [busy, setBusy] = useState<'draft' | 'submit' | null>(null);
  const [problems, setProblems] = useState<PlacedProblems>(NO_PROBLEMS);
  const [problemCount, setProblemCount] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const shareType = Form.useWatch('shareType', form);
  const securityGrade = Form.useWatch('securityGrade', form);
  const systems = useAsync(() => informationSystemApi.list({ organisationId: user.organisationId, pageSize: 200 }), [user.organisationId]);

  const [initial] = useState<EntryFormValues>(() => (entry ? entryToFormValues(entry) : newEntryValues()));

  // The reviewer's per-field reasons also appear as warnings next to the fields they name.
  useEffect(() => {
    if (!entry || entry.status !== 'returned') return;
    const warnings = (entry.returnReasons ?? []).flatMap((r) => {
      const place = problemPlace(r.field);
      return place.kind === 'field' ? [{ name: place.name, warnings: [r.message] }] : [];
    });
    markFields(form, warnings);
  }, [entry, form]);

  const save = async (andSubmit: boolean) => {
    setError(null);
    let values: EntryFormValues;
    try {
      values = await form.validateFields();
    } catch {
      return; // antd shows the messages next to the fields
    }
    // Earlier server problems are cleared; the fields the user fixed have cleared their own.
    markFields(form, [...problems.fields.values()].map((p) => ({ name: p.name, errors: [] })));
    setProblems(NO_PROBLEMS);
    setProblemCount(0);
    setBusy(andSubmit ? 'submit' : 'draft');
    const body = formValuesToInput(values);
    let saved: CatalogEntry;
    try {
      saved = entry ? await catalogApi.update(entry.id, body) : await catalogApi.create(body);
    } catch (e) {
      setBusy(null);
      const list = e instanceof ApiError && e.code === 'CATALOG_ENTRY_INVALID' ? entryProblems(e.details) : [];
      if (list.length === 0) {
        setError(errorText(e));
        return;
      }
      const placed = placeProblems(list, lang);
      markFields(form, [...placed.fields.values()].map((p) => ({ name: p.name, errors: p.messages })));
      setProblems(placed);
      setProblemCount(list.length);
      return;
    }
    try {
      if (andSubmit) {
        await catalogApi.submit(saved.id);
        ok(t('editor.savedSubmitted'));
      } else {
        ok(t('editor.saved'));
      }
    } catch (e) {
      // Saved but not submitted (e.g. no responsible authority): the detail page says what state it is in.
      fail(e);
    } finally {
      setBusy(null);
    }
    navigate(`/catalog/entries/${saved.id}`);
  };

  const systemOptions = (systems.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }));

  return (
    <div data-testid="page-catalog-editor">
      <Typography.Title level={4} className="ts-page-title">
        {entry ? t('editor.titleEdit', { name: entry.name }) : t('editor.titleNew')}
      </Typography.Title>
      {entry?.status === 'returned' && entry.returnReasons?.length ? (
        <ReturnReasons reasons={entry.returnReasons} items={entry.items} title={t('editor.returnReasons')} testId="editor-return-reasons" />
      ) : null}
      {entry?.status === 'published' && <Alert type="info" showIcon title={t('detail.reviseHelp')} style={{ marginBottom: 16 }} />}
      {problemCount > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('editor.invalid', { n: problemCount })}
          description={problems.form.length ? problems.form.join('；') : undefined}
          data-testid="editor-problems"
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="editor-error" />}
      <Form<EntryFormValues> form={form} layout="vertical" initialValues={initial} scrollToFirstError>
        <Card title={t('detail.basic')} style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t('field.name')} rules={[{ required: true, whitespace: true, message: t('editor.required', { field: t('field.name') }) }]}>
                <Input maxLength={200} data-testid="editor-name" />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item
                name="category"
                label={t('field.category')}
                extra={t('editor.categoryHelp')}
                rules={[{ required: true, whitespace: true, message: t('editor.required', { field: t('field.category') }) }]}
              >
                <Input maxLength={40} className="mono" placeholder="1-01-001" data-testid="editor-category" />
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="resourceType" label={t('field.resourceType')}>
                <Select options={RESOURCE_TYPES.map((r) => ({ value: r, label: t(`resourceType.${r}`) }))} data-testid="editor-resourceType" />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="summary" label={t('field.summary')} rules={[{ required: true, whitespace: true, message: t('editor.required', { field: t('field.summary') }) }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} showCount data-testid="editor-summary" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="format" label={t('field.format')}>
                <Radio.Group>
                  {CATALOG_FORMATS.map((f) => (
                    <Radio key={f} value={f}>
                      <span data-testid={`editor-format-${f}`}>{t(`format.${f}`)}</span>
                    </Radio>
                  ))}
                </Radio.Group>
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="updateCycle" label={t('field.updateCycle')}>
                <Select options={UPDATE_CYCLES.map((u) => ({ value: u, label: t(`updateCycle.${u}`) }))} data-testid="editor-updateCycle" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Space align="start">
                <Form.Item name="securityGrade" label={t('field.securityGrade')}>
                  <Select style={{ width: 140 }} options={SECURITY_GRADES.map((g) => ({ value: g, label: t(`securityGrade.${g}`) }))} data-testid="editor-securityGrade" />
                </Form.Item>
                {securityGrade === 'general' && (
                  <Form.Item name="sensitivityLevel" label={`${t('field.sensitivityLevel')}${t('common.optional')}`}>
                    <InputNumber min={1} max={4} precision={0} style={{ width: 120 }} data-testid="editor-sensitivityLevel" />
                  </Form.Item>
                )}
              </Space>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="shareType" label={t('field.shareType')}>
                <Radio.Group>
                  {SHARE_TYPES.map((s) => (
                    <Radio key={s} value={s}>
                      <span data-testid={`editor-shareType-${s}`}>{t(`shareType.${s}`)}</span>
                    </Radio>
                  ))}
                </Radio.Group>
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              {shareType !== 'none' && (
                <Form.Item name="shareMethods" label={t('field.shareMethods')}>
                  <Checkbox.Group>
                    {SHARE_METHODS.map((m) => (
                      <Checkbox key={m} value={m}>
                        <span data-testid={`editor-shareMethod-${m}`}>{t(`shareMethod.${m}`)}</span>
                      </Checkbox>
                    ))}
                  </Checkbox.Group>
                </Form.Item>
              )}
            </Col>
            {shareType === 'conditional' && (
              <Col span={24}>
                <Form.Item
                  name="shareCondition"
                  label={t('field.shareCondition')}
                  rules={[{ required: true, whitespace: true, message: t('editor.required', { field: t('field.shareCondition') }) }]}
                >
                  <Input.TextArea autoSize={{ minRows: 2 }} maxLength={2000} data-testid="editor-shareCondition" />
                </Form.Item>
              </Col>
            )}
            {shareType === 'none' && (
              <Col span={24}>
                <Form.Item
                  name="nonShareBasis"
                  label={t('field.nonShareBasis')}
                  rules={[{ required: true, whitespace: true, message: t('editor.required', { field: t('field.nonShareBasis') }) }]}
                >
                  <Input.TextArea autoSize={{ minRows: 2 }} maxLength={2000} data-testid="editor-nonShareBasis" />
                </Form.Item>
              </Col>
            )}
            <Col xs={24} md={12}>
              <Form.Item name="openType" label={t('field.openType')}>
                <Radio.Group>
                  {OPEN_TYPES.map((o) => (
                    <Radio key={o} value={o}>
                      <span data-testid={`editor-openType-${o}`}>{t(`openType.${o}`)}</span>
                    </Radio>
                  ))}
                </Radio.Group>
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item
                name="sourceSystemIds"
                label={t('field.sourceSystemIds')}
                extra={
                  systems.data && systems.data.items.length === 0 ? (
                    <span>
                      {t('editor.systemsEmpty')} · <Link to="/catalog/systems">{t('editor.registerSystem')}</Link>
                    </span>
                  ) : undefined
                }
              >
                <Select
                  mode="multiple"
                  allowClear
                  loading={systems.loading}
                  placeholder={t('editor.systemsPlaceholder')}
                  options={systemOptions}
                  optionFilterProp="label"
                  optionRender={(o) => <span data-testid={`editor-system-option-${String(o.value)}`}>{o.label}</span>}
                  data-testid="editor-systems"
                />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card title={t('field.items')} style={{ marginBottom: 16 }}>
          <Typography.Paragraph type="secondary">{t('editor.itemsHelp')}</Typography.Paragraph>
          <ItemsTable problems={problems} />
        </Card>
        <Space>
          <Button icon={<SaveOutlined />} loading={busy === 'draft'} disabled={busy !== null} onClick={() => void save(false)} data-testid="editor-save">
            {t('editor.saveDraft')}
          </Button>
          <Button type="primary" icon={<SendOutlined />} loading={busy === 'submit'} disabled={busy !== null} onClick={() => void save(true)} data-testid="editor-save-submit">
            {t('editor.saveSubmit')}
          </Button>
          <Button onClick={() => navigate(entry ? `/catalog/entries/${entry.id}` : '/catalog')}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </div>
  );
}

export default function CatalogEditorPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const user = useCurrentUser();
  const { data, error, loading, reload } = useAsync(() => (id ? catalogApi.get(id) : Promise.resolve(undefined)), [id]);
  if (!id) return <Editor key="new" entry={undefined} />;
  if (!data) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;
  if (data.provider.id !== user.organisationId) return <Result status="403" subTitle={t('editor.notProvider')} />;
  if (!['draft', 'returned', 'published'].includes(data.status)) {
    return <Result status="warning" subTitle={t('editor.notEditable', { status: t(`entryStatus.${data.status}`) })} data-testid="editor-not-editable" />;
  }
  return <Editor key={data.id} entry={data} />;
}
