import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Drawer, Form, Input, Modal, Popconfirm, Radio, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PauseCircleOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { subscriptionApi, type FeedDelivery, type FeedSubscription, type Grant } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../LoadError';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';
import { FormDialog } from './ApplicationDialogs';

/**
 * 变更订阅: the webhook subscriptions of a grant with method `table`. The consumer's consumers make,
 * pause, resume and end them (the signing secret is shown once, when made); the provider's approvers
 * and the responsible authority see where the data goes and how deliveries fare.
 */
export function FeedSubscriptions({ grant, canManage }: { grant: Grant; canManage: boolean }) {
  const { t } = useI18n();
  const { ok, fail } = useFeedback();
  const { data, error, loading, reload } = useAsync(() => subscriptionApi.list(grant.id), [grant.id]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ subscription: FeedSubscription; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const act = async (what: () => Promise<unknown>, message: string) => {
    try {
      await what();
      ok(message);
      reload();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <Card
      title={t('feed.title')}
      style={{ marginBottom: 16 }}
      data-testid="feed-subscriptions"
      extra={
        canManage && grant.status === 'active' ? (
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="feed-subscribe">
            {t('feed.subscribe')}
          </Button>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary">{t('feed.help')}</Typography.Paragraph>
      <LoadError error={error} onRetry={reload} />
      <Table<FeedSubscription>
        rowKey="id"
        size="small"
        loading={loading && !data}
        pagination={false}
        dataSource={data?.items ?? []}
        onRow={(s) => rowTestId(`feed-subscription-${s.id}`)}
        locale={{ emptyText: t('feed.none') }}
        columns={[
          { title: t('feed.url'), dataIndex: 'url', render: (v: string, s) => <Typography.Link className="mono" onClick={() => setOpen(s.id)}>{v}</Typography.Link> },
          { title: t('feed.status'), key: 'status', render: (_, s) => <SubscriptionStatus subscription={s} /> },
          { title: t('feed.cursor'), dataIndex: 'cursor', render: (v: string) => <span className="mono">{v}</span> },
          { title: t('feed.lastDelivered'), dataIndex: 'lastDeliveredAt', render: (v: string | null) => (v ? formatTime(v) : '—') },
          { title: t('feed.failures'), dataIndex: 'failures', render: (v: number, s) => (v > 0 ? <Tag color="red" title={s.lastError?.message}>{v} · {s.lastError?.code}</Tag> : '0') },
          ...(canManage
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, s: FeedSubscription) => (
                    <Space size={4}>
                      {s.status === 'active' ? (
                        <Button size="small" icon={<PauseCircleOutlined />} onClick={() => void act(() => subscriptionApi.pause(s.id), t('feed.paused'))} data-testid="feed-pause">
                          {t('feed.pause')}
                        </Button>
                      ) : (
                        <Button
                          size="small"
                          icon={<PlayCircleOutlined />}
                          // A cursor past the retention cannot go on where it stopped: the receiver re-reads the data, and delivery starts from now.
                          onClick={() => void act(() => subscriptionApi.resume(s.id, s.pausedReason === 'FEED_CURSOR_EXPIRED' ? 'latest' : undefined), t('feed.resumed'))}
                          title={s.pausedReason === 'FEED_CURSOR_EXPIRED' ? t('feed.resumeFromNow') : undefined}
                          data-testid="feed-resume"
                        >
                          {t('feed.resume')}
                        </Button>
                      )}
                      <Popconfirm title={t('feed.removeConfirm')} onConfirm={() => act(() => subscriptionApi.remove(s.id), t('feed.removed'))}>
                        <Button size="small" danger icon={<DeleteOutlined />} data-testid="feed-remove" aria-label={t('feed.remove')} />
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      {creating && (
        <CreateDialog
          grant={grant}
          onClose={() => setCreating(false)}
          onDone={(made) => {
            setCreating(false);
            setSecret(made);
            reload();
          }}
        />
      )}
      {secret && <SecretDialog made={secret} onClose={() => setSecret(null)} />}
      {open && <DeliveriesDrawer id={open} onClose={() => setOpen(null)} />}
    </Card>
  );
}

function SubscriptionStatus({ subscription: s }: { subscription: FeedSubscription }) {
  const { t } = useI18n();
  if (s.status === 'active') return <Tag color="green">{t('feed.active')}</Tag>;
  const reason = s.pausedReason === 'consumer' ? t('feed.pausedByConsumer') : s.pausedReason === 'failures' ? t('feed.pausedByFailures') : s.pausedReason;
  return <Tag color="orange" data-testid="feed-paused-reason">{t('feed.pausedTag')}{reason ? ` · ${reason}` : ''}</Tag>;
}

function CreateDialog({ grant, onClose, onDone }: { grant: Grant; onClose: () => void; onDone: (made: { subscription: FeedSubscription; secret: string }) => void }) {
  const { t } = useI18n();
  return (
    <FormDialog<{ url: string; from: 'latest' | 'beginning' }>
      title={t('feed.subscribeTitle')}
      okText={t('feed.subscribe')}
      okTestId="feed-subscribe-submit"
      width={620}
      initialValues={{ from: 'latest' }}
      onClose={onClose}
      onSubmit={async (v) => onDone(await subscriptionApi.create(grant.id, { url: v.url.trim(), from: v.from }))}
    >
      <Form.Item name="url" label={t('feed.url')} extra={t('feed.urlHelp')} rules={[{ required: true, whitespace: true, message: t('feed.urlRequired') }, { pattern: /^https?:\/\/[^\s/?#]+/i, message: t('feed.urlInvalid') }]}>
        <Input placeholder="https://" maxLength={2000} autoFocus data-testid="feed-url" />
      </Form.Item>
      <Form.Item name="from" label={t('feed.from')}>
        <Radio.Group
          options={[
            { value: 'latest', label: t('feed.fromLatest') },
            { value: 'beginning', label: t('feed.fromBeginning') },
          ]}
        />
      </Form.Item>
    </FormDialog>
  );
}

/** The only time the signing secret is visible. */
function SecretDialog({ made, onClose }: { made: { subscription: FeedSubscription; secret: string }; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal
      open
      title={t('feed.createdTitle')}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      width={680}
      footer={
        <Button type="primary" onClick={onClose} data-testid="feed-secret-ack">
          {t('apps.secretAck')}
        </Button>
      }
    >
      <Alert type="warning" showIcon title={t('feed.secretWarning')} style={{ marginBottom: 16 }} />
      <Descriptions
        column={1}
        bordered
        size="small"
        items={[
          { key: 'url', label: t('feed.url'), children: <span className="mono">{made.subscription.url}</span> },
          {
            key: 'secret',
            label: 'secret',
            children: (
              <Typography.Text className="mono" copyable={{ text: made.secret }} data-testid="feed-secret">
                {made.secret}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        {t('feed.signing')}
      </Typography.Paragraph>
    </Modal>
  );
}

function DeliveriesDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const { data, error, loading, reload } = useAsync(() => subscriptionApi.get(id), [id]);
  return (
    <Drawer open size={760} title={t('feed.deliveries')} onClose={onClose} data-testid="feed-deliveries">
      <LoadError error={error} onRetry={reload} />
      {data && (
        <Descriptions
          column={1}
          size="small"
          style={{ marginBottom: 16 }}
          items={[
            { key: 'url', label: t('feed.url'), children: <span className="mono">{data.url}</span> },
            { key: 'by', label: t('feed.createdBy'), children: `${data.createdBy.displayName} · ${formatTime(data.createdAt)}` },
            { key: 'next', label: t('feed.nextAttempt'), children: data.nextAttemptAt ? formatTime(data.nextAttemptAt) : '—' },
            ...(data.lastError ? [{ key: 'error', label: t('feed.lastError'), children: `${data.lastError.code}: ${data.lastError.messageZh ?? data.lastError.message}` }] : []),
          ]}
        />
      )}
      <Table<FeedDelivery>
        rowKey={(d) => `${d.deliveryId}:${d.attempt}:${d.at}`}
        size="small"
        loading={loading && !data}
        pagination={false}
        dataSource={data?.deliveries ?? []}
        locale={{ emptyText: t('feed.noDeliveries') }}
        columns={[
          { title: t('feed.at'), dataIndex: 'at', render: (v: string) => formatTime(v) },
          { title: t('feed.range'), key: 'range', render: (_, d) => <span className="mono">{d.firstSeq}–{d.lastSeq}</span> },
          { title: t('feed.changes'), dataIndex: 'changes' },
          { title: t('feed.attempt'), dataIndex: 'attempt' },
          { title: t('feed.outcome'), dataIndex: 'outcome', render: (v: string) => <Tag color={v === 'delivered' ? 'green' : 'red'}>{v}</Tag> },
          { title: t('feed.latency'), dataIndex: 'latencyMs', render: (v: number) => `${v} ms` },
        ]}
      />
    </Drawer>
  );
}
