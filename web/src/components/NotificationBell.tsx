import { useCallback, useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { Badge, Button, Dropdown, Empty, List, Spin, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { ApiError, notificationApi, type AppNotification } from '../api';
import { useI18n } from '../i18n';
import { useFeedback } from '../hooks/useFeedback';
import { formatTime } from '../lib/format';

const POLL_MS = 60_000;

/**
 * The header bell: the unread count is polled every minute and on every navigation (cheap: one
 * count query), the list is loaded when the panel opens. A server without notifications (404)
 * leaves the bell quiet rather than showing errors.
 */
export function NotificationBell() {
  const { t, lang } = useI18n();
  const { fail } = useFeedback();
  const navigate = useNavigate();
  const location = useLocation();
  const [unread, setUnread] = useState(0);
  const [available, setAvailable] = useState(true);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [loading, setLoading] = useState(false);
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refreshCount = useCallback(async () => {
    try {
      const page = await notificationApi.list({ unread: true, pageSize: 1 });
      if (!live.current) return;
      setUnread(page.unread ?? page.total);
      setAvailable(true);
    } catch (e) {
      if (live.current && e instanceof ApiError && e.status === 404) setAvailable(false);
      // Other failures (network) keep the last count; the next poll tries again.
    }
  }, []);

  const loadList = useCallback(async () => {
    setLoading(true);
    try {
      const page = await notificationApi.list({ pageSize: 10 });
      if (!live.current) return;
      setItems(page.items);
      setUnread(page.unread);
      setAvailable(true);
    } catch (e) {
      if (!live.current) return;
      if (e instanceof ApiError && e.status === 404) setAvailable(false);
      setItems([]);
    } finally {
      if (live.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refreshCount();
  }, [location.pathname, refreshCount]);

  useEffect(() => {
    const timer = window.setInterval(() => void refreshCount(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [refreshCount]);

  const openItem = async (n: AppNotification) => {
    setOpen(false);
    if (!n.readAt) {
      try {
        await notificationApi.markRead(n.id);
        setUnread((u) => Math.max(0, u - 1));
        setItems((list) => list?.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)) ?? null);
      } catch (e) {
        fail(e);
      }
    }
    if (n.link) navigate(n.link);
  };

  const readAll = async () => {
    try {
      await notificationApi.markAllRead();
      setUnread(0);
      await loadList();
    } catch (e) {
      fail(e);
    }
  };

  const panel = (
    <div
      data-testid="notifications-panel"
      style={{ width: 360, background: '#fff', borderRadius: 6, boxShadow: '0 6px 16px rgba(0,0,0,0.12)', lineHeight: 1.5 }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '8px 12px', borderBottom: '1px solid #f0f0f0' }}>
        <strong>{t('notifications.title')}</strong>
        <Button type="link" size="small" disabled={!available || unread === 0} onClick={() => void readAll()} data-testid="notifications-read-all">
          {t('notifications.markAllRead')}
        </Button>
      </div>
      <div style={{ maxHeight: 420, overflow: 'auto' }}>
        {loading && !items ? (
          <div style={{ padding: 24, textAlign: 'center' }}>
            <Spin size="small" />
          </div>
        ) : !available ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.unavailable')} />
        ) : !items || items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
        ) : (
          <List<AppNotification>
            size="small"
            dataSource={items}
            renderItem={(n) => (
              <List.Item
                key={n.id}
                onClick={() => void openItem(n)}
                style={{ cursor: n.link || !n.readAt ? 'pointer' : 'default', padding: '8px 12px', background: n.readAt ? undefined : '#f0f5ff' }}
                data-testid={`notification-${n.id}`}
              >
                <div>
                  <div style={{ fontWeight: n.readAt ? 400 : 600 }}>{n.text[lang] || n.text.zh || n.kind}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(n.createdAt)}
                  </Typography.Text>
                </div>
              </List.Item>
            )}
          />
        )}
      </div>
    </div>
  );

  return (
    <Dropdown
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void loadList();
      }}
      trigger={['click']}
      placement="bottomRight"
      popupRender={() => panel}
    >
      <Button type="text" className="ts-bell" aria-label={t('notifications.title')} data-testid="notifications-bell">
        <Badge count={unread} size="small" offset={[4, -2]} data-testid="notifications-count" data-count={unread}>
          <BellOutlined style={{ color: '#fff', fontSize: 18 }} />
        </Badge>
      </Button>
    </Dropdown>
  );
}
