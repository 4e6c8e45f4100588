import { Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { App as AntApp, ConfigProvider } from 'antd';
import { PageSpinner } from './components/PageSpinner';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { I18nProvider, useI18n } from './i18n';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { ROUTES, canAccess, type RouteDef } from './routes';
import AppLayout from './layout/AppLayout';
import LoginPage from './pages/LoginPage';
import { ForbiddenPage, NotFoundPage } from './pages/ErrorPages';

const THEME = {
  token: {
    colorPrimary: '#1f4e99',
    colorInfo: '#1f4e99',
    borderRadius: 4,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
  },
  components: {
    Layout: { headerBg: '#1f4e99', siderBg: '#ffffff' },
    Menu: { itemSelectedBg: '#e6edf8', itemSelectedColor: '#1f4e99', itemBorderRadius: 4 },
  },
};

function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <PageSpinner />;
  if (state.status === 'anonymous') {
    const next = location.pathname + location.search;
    const params = new URLSearchParams();
    if (next !== '/') params.set('next', next);
    if (state.expired) params.set('expired', '1');
    const qs = params.toString();
    return <Navigate to={`/login${qs ? `?${qs}` : ''}`} replace />;
  }
  return <>{children}</>;
}

function Guarded({ route }: { route: RouteDef }) {
  const { user } = useAuth();
  if (!user || !canAccess(route, user.roles)) return <ForbiddenPage />;
  const Page = route.page;
  return (
    <Suspense fallback={<PageSpinner />}>
      <Page />
    </Suspense>
  );
}

function Localised({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <I18nProvider>
      <Localised>
        <AuthProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                {ROUTES.map((r) => (
                  <Route key={r.key} path={r.path} element={<Guarded route={r} />} />
                ))}
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </AuthProvider>
      </Localised>
    </I18nProvider>
  );
}
