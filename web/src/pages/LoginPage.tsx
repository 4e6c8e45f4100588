import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { GlobalOutlined, LockOutlined, UserOutlined } from '@ant-design/icons';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useErrorText } from '../hooks/useFeedback';
import { useNodeInfo } from '../hooks/useNodeInfo';
import { Logo } from '../components/Logo';

interface Values {
  username: string;
  password: string;
}

/** Only same-origin paths, so a crafted ?next= cannot send a user to another site after login. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const { state, login } = useAuth();
  const errorText = useErrorText();
  const node = useNodeInfo();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const next = safeNext(params.get('next'));

  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await login(v.username.trim(), v.password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="ts-login-bg">
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: '12px 24px' }}>
        <Button
          type="text"
          icon={<GlobalOutlined />}
          style={{ color: '#fff' }}
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          data-testid="lang-switch"
        >
          {t('lang.switchTo')}
        </Button>
      </div>
      <div className="ts-login-main">
        <div className="ts-login-intro">
          <div style={{ display: 'flex', alignItems: 'center', gap: 14, marginBottom: 16 }}>
            <Logo size={48} />
            <h1>{t('app.brand')}</h1>
          </div>
          <p style={{ fontSize: 20, color: '#fff' }}>{t('app.portal')}</p>
          <p>{t('login.intro')}</p>
          {node && (
            <p data-testid="login-node">
              {t('login.node')}：{node.name}（{node.code}）
            </p>
          )}
        </div>
        <Card style={{ width: 380, boxShadow: '0 8px 24px rgba(0,0,0,0.2)' }}>
          <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 24 }}>
            {t('login.title')}
          </Typography.Title>
          {params.get('expired') === '1' && !error && (
            <Alert type="warning" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />
          )}
          {error !== null && (
            <Alert type="error" showIcon title={errorText(error)} style={{ marginBottom: 16 }} data-testid="login-error" />
          )}
          <Form<Values> layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} data-testid="login-form">
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('login.usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" data-testid="login-username" />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
      </div>
      <div className="ts-login-footer">{t('login.footer')}</div>
    </div>
  );
}
