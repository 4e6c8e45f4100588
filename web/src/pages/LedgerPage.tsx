import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  AutoComplete,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Input,
  Row,
  Space,
  Spin,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { CheckCircleFilled, CloseCircleFilled, FilterOutlined, ReloadOutlined, SafetyOutlined, WarningFilled } from '@ant-design/icons';
import { ledgerApi, type LedgerActor, type LedgerEntry, type NodeInfo, type TreeHead } from '../api';
import { useI18n } from '../i18n';
import { useAsync } from '../hooks/useAsync';
import { useErrorText } from '../hooks/useFeedback';
import { loadNodeInfo } from '../hooks/useNodeInfo';
import { formatTime } from '../lib/format';
import { rowTestId } from '../lib/testid';
import {
  payloadBindsHead,
  sameHex,
  verifyInclusion,
  verifyTreeHeadSignature,
  type InclusionResult,
} from '../lib/merkle-verify';
import { LoadError } from '../components/LoadError';

interface HeadState {
  head: TreeHead;
  node: NodeInfo;
  signatureOk: boolean;
  bindsOk: boolean;
  /** The head names its own key; the trust anchor is the node's published key. */
  keyMatchesNode: boolean;
}

async function fetchVerifiedHead(): Promise<HeadState> {
  const [head, node] = await Promise.all([ledgerApi.head(), loadNodeInfo()]);
  return {
    head,
    node,
    signatureOk: verifyTreeHeadSignature(head.signedPayload, head.signature, node.publicKey),
    bindsOk: payloadBindsHead(head.signedPayload, head),
    keyMatchesNode: sameHex(head.publicKey.replace(/^04/i, ''), node.publicKey.replace(/^04/i, '')),
  };
}

function Mark({ ok, warn }: { ok: boolean; warn?: boolean }) {
  if (ok) return <CheckCircleFilled style={{ color: '#389e0d' }} />;
  if (warn) return <WarningFilled style={{ color: '#d48806' }} />;
  return <CloseCircleFilled style={{ color: '#cf1322' }} />;
}

function Hex({ value, testId }: { value: string; testId?: string }) {
  return (
    <Typography.Text className="mono" copyable={{ text: value }} data-testid={testId}>
      {value}
    </Typography.Text>
  );
}

function ActorCell({ actor, onFilter }: { actor: LedgerActor; onFilter?: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <Space size={4}>
      <Tag>{t(`actorType.${actor.type}`)}</Tag>
      {(actor.username ?? actor.id) && <span title={actor.id}>{actor.username ?? actor.id}</span>}
      {onFilter && actor.id && (
        <Tooltip title={t('ledger.filterByActor')}>
          <Button
            type="text"
            size="small"
            icon={<FilterOutlined />}
            onClick={(ev) => {
              ev.stopPropagation(); // the row itself opens the detail drawer
              if (actor.id) onFilter(actor.id);
            }}
            data-testid={`ledger-filter-actor-${actor.id}`}
          />
        </Tooltip>
      )}
    </Space>
  );
}

function HeadCard({ state, loading, error, onRefresh }: { state?: HeadState; loading: boolean; error: unknown; onRefresh: () => void }) {
  const { t } = useI18n();
  return (
    <Card
      title={
        <Space>
          <SafetyOutlined />
          {t('ledger.head')}
        </Space>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={onRefresh} loading={loading} data-testid="ledger-head-refresh">
          {t('common.refresh')}
        </Button>
      }
      data-testid="ledger-head"
    >
      <LoadError error={error} onRetry={onRefresh} />
      {!state && loading && <Spin />}
      {state && (
        <>
          <Space wrap style={{ marginBottom: 16 }}>
            {state.signatureOk ? (
              <Tag color="success" icon={<CheckCircleFilled />} style={{ fontSize: 14, padding: '4px 10px' }} data-testid="ledger-head-signature-ok">
                {t('ledger.signatureOk')}
              </Tag>
            ) : (
              <Tag color="error" icon={<CloseCircleFilled />} style={{ fontSize: 14, padding: '4px 10px' }} data-testid="ledger-head-signature-bad">
                {t('ledger.signatureBad')}
              </Tag>
            )}
            <Tag color={state.bindsOk ? 'success' : 'error'} icon={state.bindsOk ? <CheckCircleFilled /> : <CloseCircleFilled />}>
              {state.bindsOk ? t('ledger.payloadBinds') : t('ledger.payloadMismatch')}
            </Tag>
            {!state.keyMatchesNode && (
              <Tag color="warning" icon={<WarningFilled />}>
                {t('ledger.keyMismatch')}
              </Tag>
            )}
          </Space>
          <Descriptions
            column={{ xs: 1, lg: 2 }}
            size="small"
            bordered
            items={[
              { key: 'size', label: t('ledger.treeSize'), children: <strong data-testid="ledger-head-size">{state.head.treeSize}</strong> },
              { key: 'time', label: t('ledger.timestamp'), children: formatTime(state.head.timestamp) },
              { key: 'root', label: t('ledger.rootHash'), span: 'filled', children: <Hex value={state.head.rootHash} testId="ledger-head-root" /> },
              { key: 'sig', label: t('ledger.signature'), span: 'filled', children: <Hex value={state.head.signature} /> },
              { key: 'key', label: t('ledger.publicKey'), span: 'filled', children: <Hex value={state.node.publicKey} /> },
              {
                key: 'payload',
                label: t('ledger.signedPayload'),
                span: 'filled',
                children: <pre className="mono">{state.head.signedPayload}</pre>,
              },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t('ledger.signatureHelp')}
          </Typography.Paragraph>
        </>
      )}
    </Card>
  );
}

function VerificationView({ result, head }: { result: InclusionResult; head: TreeHead }) {
  const { t } = useI18n();
  return (
    <div data-testid="ledger-verify-result">
      <Alert
        type={result.ok ? 'success' : 'error'}
        showIcon
        title={result.ok ? t('ledger.verifyOk', { size: head.treeSize }) : t('ledger.verifyFail')}
        style={{ marginBottom: 12 }}
        data-testid={result.ok ? 'ledger-verify-ok' : 'ledger-verify-fail'}
      />
      <Typography.Title level={5}>{t('ledger.checks')}</Typography.Title>
      <Space orientation="vertical" style={{ width: '100%' }} size={6}>
        {result.checks.map((c) => (
          <div key={c.check}>
            <Space align="start">
              <Mark ok={c.ok} />
              <span>{t(`verifyCheck.${c.check}`)}</span>
            </Space>
            {!c.ok && (
              <div className="mono" style={{ marginLeft: 22, color: '#8c8c8c' }}>
                {c.reason && <div>{t(`verifyReason.${c.reason}`)}</div>}
                {c.expected !== undefined && c.check !== 'canonicalMatchesEntry' && (
                  <div>
                    {t('ledger.expected')}: {c.expected}
                  </div>
                )}
                {c.actual !== undefined && c.check !== 'canonicalMatchesEntry' && (
                  <div>
                    {t('ledger.actual')}: {c.actual}
                  </div>
                )}
              </div>
            )}
          </div>
        ))}
      </Space>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('ledger.steps')}
      </Typography.Title>
      <ol style={{ paddingLeft: 20, margin: 0 }} className="mono">
        <li style={{ marginBottom: 6 }}>
          {t('ledger.stepLeaf')}
          <br />→ {result.computedLeafHash}
        </li>
        {result.steps.map((s) => (
          <li key={s.index} style={{ marginBottom: 6 }} data-testid={`ledger-verify-step-${s.index}`}>
            {s.siblingSide === 'left' ? t('ledger.stepLeft') : t('ledger.stepRight')}
            <br />
            {t('ledger.sibling')}: {s.sibling}
            <br />→ {s.result}
          </li>
        ))}
        <li>
          {t('ledger.stepCompare')}
          <br />
          {result.computedRoot ?? '—'} {result.computedRoot && sameHex(result.computedRoot, head.rootHash) ? '=' : '≠'} {head.rootHash.toLowerCase()}
        </li>
      </ol>
    </div>
  );
}

function EntryDrawer({
  entry,
  headState,
  onClose,
  refreshHead,
}: {
  entry: LedgerEntry;
  headState?: HeadState;
  onClose: () => void;
  refreshHead: () => Promise<HeadState>;
}) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ result: InclusionResult; head: HeadState } | null>(null);

  const verify = async () => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      // An entry newer than the displayed head cannot be proven against it: take a fresh head.
      let hs = headState;
      if (!hs || entry.seq > hs.head.treeSize) hs = await refreshHead();
      const proof = await ledgerApi.proof(entry.seq, hs.head.treeSize);
      const result = verifyInclusion({
        canonical: entry.canonical,
        entry: entry.entry,
        serverLeafHash: entry.leafHash,
        payload: payloadValue === undefined ? undefined : { value: payloadValue, digest: entry.entry.payloadDigest },
        expectedLeafIndex: entry.seq - 1,
        proof,
        head: hs.head,
      });
      setOutcome({ result, head: hs });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const pretty = useMemo(() => JSON.stringify(entry.entry, null, 2), [entry]);
  const e = entry.entry;
  // Accept the payload where the brief put it (inside entry) or where the server sends it.
  const payloadValue = entry.payload !== undefined ? entry.payload : e.payload;

  return (
    <Drawer open onClose={onClose} size={760} title={t('ledger.entryTitle', { seq: entry.seq })} data-testid="ledger-entry-drawer">
      <Descriptions
        column={1}
        size="small"
        bordered
        items={[
          { key: 'seq', label: t('ledger.seq'), children: entry.seq },
          { key: 'time', label: t('ledger.time'), children: formatTime(e.time) },
          { key: 'node', label: t('ledger.node'), children: e.node },
          { key: 'actor', label: t('ledger.actor'), children: <ActorCell actor={e.actor} /> },
          { key: 'action', label: t('ledger.action'), children: <span className="mono">{e.action}</span> },
          { key: 'subject', label: t('ledger.subject'), children: <span className="mono">{`${e.subject.type}:${e.subject.id}`}</span> },
          { key: 'digest', label: t('ledger.payloadDigest'), children: <Hex value={e.payloadDigest} /> },
          { key: 'leaf', label: t('ledger.leafHash'), children: <Hex value={entry.leafHash} testId="ledger-entry-leaf" /> },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('ledger.canonical')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('ledger.canonicalHelp')}</Typography.Paragraph>
      <pre className="mono" data-testid="ledger-entry-canonical">
        {entry.canonical}
      </pre>
      <Typography.Paragraph copyable={{ text: entry.canonical }} type="secondary" style={{ marginTop: 4 }}>
        {t('ledger.copyCanonical')}
      </Typography.Paragraph>
      <details style={{ marginBottom: 16 }}>
        <summary style={{ cursor: 'pointer', color: '#1f4e99' }}>{t('ledger.prettyJson')}</summary>
        <pre className="mono" style={{ marginTop: 8 }}>
          {pretty}
        </pre>
      </details>
      {payloadValue !== undefined && (
        <>
          <Typography.Title level={5}>{t('ledger.payload')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('ledger.payloadHelp')}</Typography.Paragraph>
          <pre className="mono" style={{ marginBottom: 16 }} data-testid="ledger-entry-payload">
            {JSON.stringify(payloadValue, null, 2)}
          </pre>
        </>
      )}
      <Button type="primary" icon={<SafetyOutlined />} loading={busy} onClick={() => void verify()} data-testid="ledger-verify">
        {t('ledger.verifyInclusion')}
      </Button>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('ledger.verifyHelp')}
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
      {outcome && !outcome.head.signatureOk && (
        <Alert type="warning" showIcon title={t('ledger.headUntrusted')} style={{ marginTop: 12 }} />
      )}
      {outcome && (
        <div style={{ marginTop: 12 }}>
          <VerificationView result={outcome.result} head={outcome.head.head} />
        </div>
      )}
    </Drawer>
  );
}

export default function LedgerPage() {
  const { t } = useI18n();
  const [headState, setHeadState] = useState<HeadState | undefined>(undefined);
  const [headLoading, setHeadLoading] = useState(true);
  const [headError, setHeadError] = useState<unknown>(null);
  const [actionInput, setActionInput] = useState('');
  const [actorInput, setActorInput] = useState('');
  const [filters, setFilters] = useState({ action: '', actor: '' });
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [selected, setSelected] = useState<LedgerEntry | null>(null);
  const [knownActions, setKnownActions] = useState<string[]>([]);

  const refreshHead = useCallback(async () => {
    setHeadLoading(true);
    setHeadError(null);
    try {
      const hs = await fetchVerifiedHead();
      setHeadState(hs);
      return hs;
    } catch (e) {
      setHeadError(e);
      throw e;
    } finally {
      setHeadLoading(false);
    }
  }, []);

  useEffect(() => {
    refreshHead().catch(() => undefined);
  }, [refreshHead]);

  const { data, loading, error, reload } = useAsync(
    () => ledgerApi.entries({ action: filters.action, actor: filters.actor, page, pageSize }),
    [filters, page, pageSize],
  );

  // There is no "distinct actions" endpoint; offer the ones seen so far as suggestions.
  useEffect(() => {
    if (!data) return;
    setKnownActions((prev) => Array.from(new Set([...prev, ...data.items.map((i) => i.entry.action)])).sort());
  }, [data]);

  const applyFilters = () => {
    setFilters({ action: actionInput.trim(), actor: actorInput.trim() });
    setPage(1);
  };

  const columns: TableColumnsType<LedgerEntry> = [
    { title: t('ledger.seq'), dataIndex: 'seq', width: 90, render: (v: number) => <strong>{v}</strong> },
    { title: t('ledger.time'), key: 'time', width: 170, render: (_, r) => formatTime(r.entry.time) },
    {
      title: t('ledger.actor'),
      key: 'actor',
      render: (_, r) => (
        <ActorCell
          actor={r.entry.actor}
          onFilter={(id) => {
            // The API filters by actor id, which nobody types by hand; offer it from the row.
            setActorInput(id);
            setFilters((f) => ({ ...f, actor: id }));
            setPage(1);
          }}
        />
      ),
    },
    { title: t('ledger.action'), key: 'action', render: (_, r) => <Tag color="blue" className="mono">{r.entry.action}</Tag> },
    {
      title: t('ledger.subject'),
      key: 'subject',
      render: (_, r) => <span className="mono">{`${r.entry.subject.type}:${r.entry.subject.id}`}</span>,
    },
    {
      title: t('common.actions'),
      key: 'op',
      width: 90,
      render: (_, r) => (
        <Button type="link" size="small" onClick={() => setSelected(r)} data-testid={`ledger-detail-${r.seq}`}>
          {t('common.details')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="page-ledger">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.ledger')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <HeadCard state={headState} loading={headLoading} error={headError} onRefresh={() => void refreshHead().catch(() => undefined)} />
        </Col>
        <Col span={24}>
          <Card title={t('ledger.entries')}>
            <Space wrap style={{ marginBottom: 16 }}>
              <AutoComplete
                value={actionInput}
                onChange={setActionInput}
                options={knownActions.map((a) => ({ value: a }))}
                showSearch={{
                  filterOption: (input, option) => (option?.value ?? '').toString().toLowerCase().includes(input.toLowerCase()),
                }}
                style={{ width: 260 }}
                allowClear
                placeholder={t('ledger.filterAction')}
                data-testid="ledger-filter-action"
              />
              <Input
                value={actorInput}
                onChange={(ev) => setActorInput(ev.target.value)}
                onPressEnter={applyFilters}
                allowClear
                placeholder={t('ledger.filterActor')}
                style={{ width: 320 }}
                data-testid="ledger-filter-actor"
              />
              <Button type="primary" onClick={applyFilters} data-testid="ledger-filter-apply">
                {t('common.search')}
              </Button>
              <Button
                onClick={() => {
                  setActionInput('');
                  setActorInput('');
                  setFilters({ action: '', actor: '' });
                  setPage(1);
                }}
              >
                {t('common.reset')}
              </Button>
              <Button icon={<ReloadOutlined />} onClick={reload}>
                {t('common.refresh')}
              </Button>
            </Space>
            <LoadError error={error} onRetry={reload} />
            <Table<LedgerEntry>
              rowKey="seq"
              size="middle"
              loading={loading}
              columns={columns}
              dataSource={data?.items ?? []}
              onRow={(r) => ({ ...rowTestId(`ledger-row-${r.seq}`), onClick: () => setSelected(r), style: { cursor: 'pointer' } })}
              pagination={{
                current: page,
                pageSize,
                total: data?.total ?? 0,
                showSizeChanger: true,
                pageSizeOptions: [10, 20, 50, 100, 200],
                showTotal: (n) => t('common.total', { total: n }),
                onChange: (p, s) => {
                  setPage(s === pageSize ? p : 1);
                  setPageSize(s);
                },
              }}
            />
          </Card>
        </Col>
      </Row>
      {selected && (
        <EntryDrawer key={selected.seq} entry={selected} headState={headState} onClose={() => setSelected(null)} refreshHead={refreshHead} />
      )}
    </div>
  );
}
